"""ERP exports (店小秘, 马帮, 领星) dropped as files: import, sensor, checks."""
