"""One module per file format; each turns bytes into located TextParts for one ExtractContext."""
