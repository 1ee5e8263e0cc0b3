"""Meta: the Marketing API (ad accounts, campaigns, insights), Facebook Pages and Instagram."""
