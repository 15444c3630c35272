"""How cost grows with work (--growth): filled in below."""
