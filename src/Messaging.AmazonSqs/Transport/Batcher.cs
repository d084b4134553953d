using System.Globalization;
using System.Threading.Channels;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Groups concurrent requests to one queue or topic into the batch calls of SQS and SNS (ten entries, 256 KiB). By
/// default it never waits to fill a batch: a lone request goes out at once, and requests that arrive while earlier
/// batches are in flight are sent together, so batching grows with load and costs no latency when idle. A batcher
/// whose callers do not wait for the result (deletes) may linger to fill its batches instead.
/// </summary>
/// <remarks>
/// The queue is bounded: when SQS or SNS slows down, callers wait for room (back-pressure) instead of piling up
/// entries, and an entry whose caller gave up before it was taken into a batch is dropped, never sent later. Without
/// both, the outbox's retries of a slow send would queue copy after copy and flood them out on recovery.
/// </remarks>
public abstract class Batcher<TEntry> : IAsyncDisposable
{
    public const int MaxEntries = 10;
    public const int MaxBatchBytes = 256 * 1024;
    public const int DefaultCapacity = 100;
    internal const int MaxBatchesInFlight = 4;

    readonly Channel<Pending> _channel;
    readonly SemaphoreSlim _inFlight = new(MaxBatchesInFlight, MaxBatchesInFlight);
    readonly TimeSpan _linger;
    readonly Task _loop;

    /// <param name="linger">How long a batch that is not full may wait for more entries.</param>
    /// <param name="capacity">Entries that may wait for a batch; further callers wait for room.</param>
    protected Batcher(TimeSpan linger = default, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _linger = linger;
        _channel = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    public int Capacity { get; }

    /// <summary>Entries waiting to be taken into a batch (cancelled ones not yet skipped included).</summary>
    internal int Queued => _channel.Reader.Count;

    /// <summary>Batches being sent right now.</summary>
    internal int BatchesInFlight => MaxBatchesInFlight - _inFlight.CurrentCount;

    protected sealed class Pending(TEntry entry, int size)
    {
        const int Waiting = 0, Taken = 1, Abandoned = 2;
        int _state;

        public TEntry Entry { get; } = entry;
        public int Size { get; } = size;
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True when the entry may go into a batch; false when its caller gave up first.</summary>
        internal bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

        /// <summary>Its caller gave up: if it is still waiting, it will not be sent.</summary>
        internal void Abandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting);
    }

    /// <summary>
    /// Completes when the entry was accepted. Waits for room while the queue is full. Cancelling drops an entry still
    /// waiting for a batch; for an entry already on its way it only stops the wait.
    /// </summary>
    protected async Task Enqueue(TEntry entry, int size, CancellationToken cancellationToken)
    {
        var pending = new Pending(entry, size);
        try
        {
            await _channel.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(GetType().Name, "The SQS/SNS transport is stopping.");
        }

        try
        {
            await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            pending.Abandon();
            throw;
        }
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
            // Room for one more batch first: entries are taken only when they can go out, so while SQS is slow they
            // stay in the queue, where their callers can still give them up.
            await _inFlight.WaitAsync();

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

            if (batch.Count == 0)
            {
                _inFlight.Release();
                continue;
            }

            _ = FlushAsync(batch);

            void Fill()
            {
                while (batch.Count < MaxEntries && reader.TryRead(out var next))
                {
                    if (!next.TryTake())
                        continue;

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
