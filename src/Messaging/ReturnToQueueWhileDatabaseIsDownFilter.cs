using System.Data.Common;
using System.Net.Sockets;
using MassTransit;

namespace Shop.Messaging;

/// <summary>
/// The last step before the error queue: a message that failed because the service's database could not be reached
/// goes back to its queue instead. Such a failure says nothing about the message, and while the database is down its
/// redelivery cannot be scheduled either (the scheduler keeps its schedule in that database), so without this a
/// database restart would park every message in flight. Returned, the broker redelivers it (counted by the delivery
/// limit where one is set); faults of any other kind go on to the error queue as before.
/// </summary>
public sealed class ReturnToQueueWhileDatabaseIsDownFilter : IFilter<ExceptionReceiveContext>
{
    // connection_exception (class 08), admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
    static readonly string[] UnavailableStates = ["57P01", "57P02", "57P03", "53300"];

    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (IsDatabaseUnavailable(context.Exception))
            throw new TransientException("The service's database is unreachable; the message goes back to its queue.", context.Exception);

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("returnToQueueWhileDatabaseIsDown");

    public static bool IsDatabaseUnavailable(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDatabaseUnavailable))
                return true;
            if (current is DbException { SqlState: { } state } && (state.StartsWith("08", StringComparison.Ordinal) || UnavailableStates.Contains(state)))
                return true;
            if (current is DbException && current.InnerException is SocketException or IOException or TimeoutException)
                return true;
        }

        return false;
    }
}
