using System.Data.Common;
using System.Net.Http;
using System.Net.Sockets;

namespace Shop.Messaging;

/// <summary>Thrown by a consumer to say "try again later": the retry policy treats it as transient.</summary>
public class TransientException : Exception
{
    public TransientException(string message) : base(message) { }
    public TransientException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Decides which faults are worth an immediate retry; everything else goes straight to redelivery or the error queue.</summary>
public static class TransientFailures
{
    // A unique violation here is two deliveries racing to create the same row; run again, the loser finds it.
    const string UniqueViolation = "23505";
    const string SerializationFailure = "40001";
    const string DeadlockDetected = "40P01";

    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                // A file that ends early or a path that is not there will not change on a second read.
                case EndOfStreamException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException:
                    return false;
                case TransientException:
                case TimeoutException:
                case SocketException:
                case HttpRequestException:
                case IOException:
                    return true;
                case DbException db when db.IsTransient || db.SqlState is UniqueViolation or SerializationFailure or DeadlockDetected:
                    return true;
            }

            // Matched by name so this project needs neither EF Core nor Polly: a concurrency conflict resolves by
            // running again on fresh data, a resilience pipeline that timed out or found its circuit open may succeed later.
            if (current.GetType().Name is "DbUpdateConcurrencyException" or "TimeoutRejectedException" or "BrokenCircuitException"
                or "IsolatedCircuitException")
                return true;
        }

        return false;
    }
}
