"""The data export and account deletion pages."""
