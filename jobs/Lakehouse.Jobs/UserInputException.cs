namespace Lakehouse.Jobs;

/// <summary>
/// An error the user can fix (bad flag value, missing input, unreadable file). The CLI prints its message as one
/// line and exits with 1, so the message must name the file or table and the reason, and never a PHI value.
/// </summary>
public sealed class UserInputException : Exception
{
    /// <summary>Creates the error with a PHI-free message.</summary>
    public UserInputException(string message) : base(message) { }

    /// <summary>Creates the error with a PHI-free message and its cause.</summary>
    public UserInputException(string message, Exception inner) : base(message, inner) { }
}
