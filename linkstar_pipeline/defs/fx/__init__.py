"""FX: the ECB's euro reference rates, landed as published."""
