using System.Globalization;
using System.Threading.Channels;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Groups concurrent requests to one queue or topic into the batch calls of SQS and SNS (ten entries, 256 KiB). By
/// default it never waits to fill a batch: a lone request goes out at once, and requests that arrive while earlier
/// batches are in flight are sent together, so batching grows with load and costs no latency when idle. A batcher
/// whose callers do not wait for the result (deletes) may linger to fill its batches instead.
/// </summary>
public abstract class Batcher<TEntry> : IAsyncDisposable
{
    public const int MaxEntries = 10;
    public const int MaxBatchBytes = 256 * 1024;
    const int MaxBatchesInFlight = 4;

    readonly Channel<Pending> _channel = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    readonly SemaphoreSlim _inFlight = new(MaxBatchesInFlight, MaxBatchesInFlight);
    readonly TimeSpan _linger;
    readonly Task _loop;

    /// <param name="linger">How long a batch that is not full may wait for more entries.</param>
    protected Batcher(TimeSpan linger = default)
    {
        _linger = linger;
        _loop = Task.Run(RunAsync);
    }

    protected sealed record Pending(TEntry Entry, int Size, TaskCompletionSource Completion);

    /// <summary>Completes when the entry was accepted; cancelling stops the wait, not an entry already on its way.</summary>
    protected Task Enqueue(TEntry entry, int size, CancellationToken cancellationToken)
    {
        var pending = new Pending(entry, size, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_channel.Writer.TryWrite(pending))
            throw new ObjectDisposedException(GetType().Name, "The SQS/SNS transport is stopping.");
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends one batch and completes (or faults) each entry's <see cref="Pending.Completion"/>.</summary>
    protected abstract Task SendBatchAsync(IReadOnlyList<Pending> batch);

    protected static void Complete(IReadOnlyList<Pending> batch, IEnumerable<string>? succeeded,
        IEnumerable<(string Id, string Code, string? Message, bool SenderFault)>? failed)
    {
        foreach (var id in succeeded ?? [])
            batch[int.Parse(id, CultureInfo.InvariantCulture)].Completion.TrySetResult();
        foreach (var (id, code, message, senderFault) in failed ?? [])
            batch[int.Parse(id, CultureInfo.InvariantCulture)].Completion.TrySetException(new SqsBatchEntryException(code, message, senderFault));
        foreach (var pending in batch)
            pending.Completion.TrySetException(new InvalidOperationException("The batch response did not mention this entry."));
    }

    async Task RunAsync()
    {
        var reader = _channel.Reader;
        Pending? carried = null;
        while (carried is not null || await reader.WaitToReadAsync())
        {
            var batch = new List<Pending>(MaxEntries);
            var bytes = 0;
            if (carried is not null)
            {
                batch.Add(carried);
                bytes = carried.Size;
                carried = null;
            }

            Fill();
            if (_linger > TimeSpan.Zero && batch.Count < MaxEntries && carried is null)
            {
                using var lingering = new CancellationTokenSource(_linger);
                try
                {
                    while (batch.Count < MaxEntries && carried is null && await reader.WaitToReadAsync(lingering.Token))
                        Fill();
                }
                catch (OperationCanceledException) when (lingering.IsCancellationRequested)
                {
                }
            }

            await _inFlight.WaitAsync();
            _ = FlushAsync(batch);

            void Fill()
            {
                while (batch.Count < MaxEntries && reader.TryRead(out var next))
                {
                    if (batch.Count > 0 && bytes + next.Size > MaxBatchBytes)
                    {
                        carried = next;
                        return;
                    }

                    batch.Add(next);
                    bytes += next.Size;
                }
            }
        }

        for (var i = 0; i < MaxBatchesInFlight; i++)
            await _inFlight.WaitAsync();
    }

    async Task FlushAsync(List<Pending> batch)
    {
        try
        {
            await SendBatchAsync(batch);
        }
        catch (Exception exception)
        {
            foreach (var pending in batch)
                pending.Completion.TrySetException(exception);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop;
        GC.SuppressFinalize(this);
    }
}
