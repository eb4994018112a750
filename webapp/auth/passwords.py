"""Password rules: long enough, not absurdly long, not on the list everyone tries first."""

MIN_LENGTH = 12
MAX_LENGTH = 128

#: The most common passwords of 12+ characters in public breach lists (lower-cased).
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789123",
        "111111111111",
        "000000000000",
        "123123123123",
        "abcdefghijkl",
        "abc123456789",
        "qwertyuiopas",
        "qwertyuiop123",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "password1234",
        "password12345",
        "password123!",
        "passwordpassword",
        "password123456",
        "iloveyou1234",
        "iloveyouiloveyou",
        "letmein12345",
        "welcome12345",
        "welcome123456",
        "changeme1234",
        "administrator",
        "admin1234567",
        "monkey123456",
        "football1234",
        "baseball1234",
        "sunshine1234",
        "princess1234",
        "dragon123456",
        "trustno1trustno1",
        "homestretch1",
        "homestretch123",
        "homestretch2026",
    }
)


def password_problem(password: str) -> str | None:
    """Explain what is wrong with a new password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A short sentence is easy to remember."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "That password is one of the first ones attackers try. Please choose another."
    return None
