namespace Shop.Cli;

/// <summary>What <c>shop</c> exits with, so scripts can tell a bad input from a broker that is down.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The broker, database or API failed or could not be reached.</summary>
    public const int Failure = 1;

    /// <summary>The command line or the message is invalid (unknown type, missing or mistyped field): nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>What was asked for (a message id, an endpoint's queue) does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>A destructive command was not confirmed.</summary>
    public const int Declined = 4;

    /// <summary><c>orders watch</c>: the order ended cancelled.</summary>
    public const int OrderCancelled = 5;
}

/// <summary>A failure the user should read as it is (no stack trace), with the exit code it maps to.</summary>
public sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
