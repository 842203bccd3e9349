"""Foundations every stage uses: errors, safe paths and atomic files, the clock, Chinese phrasing."""
