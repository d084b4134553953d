using System.Text;
using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Receives from one SQS queue: long polling, as many messages in progress as the endpoint's concurrency allows,
/// each held by an <see cref="AmazonSqsReceiveLockContext"/>. On a FIFO queue the messages of one group are processed
/// one after another in the order received.
/// </summary>
public sealed partial class AmazonSqsReceiveTransport(AmazonSqsReceiveEndpointContext context) : IReceiveTransport
{
    public void Probe(ProbeContext probe)
    {
        var scope = probe.CreateScope("receiveTransport");
        scope.Add("type", "AmazonSqs");
        scope.Set(new { Address = context.InputAddress, context.PrefetchCount, context.ConcurrentMessageLimit });
    }

    public ReceiveTransportHandle Start() => new ReceiveAgent(context);

    public ConnectHandle ConnectReceiveObserver(IReceiveObserver observer) => context.ConnectReceiveObserver(observer);

    public ConnectHandle ConnectReceiveTransportObserver(IReceiveTransportObserver observer) =>
        context.ConnectReceiveTransportObserver(observer);

    public ConnectHandle ConnectPublishObserver(IPublishObserver observer) => context.ConnectPublishObserver(observer);

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => context.ConnectSendObserver(observer);

    sealed partial class ReceiveAgent : ConsumerAgent<string>, ReceiveTransportHandle, IAmazonSqsMessageReceiver
    {
        static readonly TimeSpan MaxPollBackoff = TimeSpan.FromSeconds(30);
        static readonly TimeSpan BatchFillWait = TimeSpan.FromMilliseconds(20);

        readonly AmazonSqsReceiveEndpointContext _context;
        readonly AmazonSqsTransportContext _transport;
        readonly SemaphoreSlim _slots;
        readonly SemaphoreSlim _filling = new(1, 1);
        readonly int _batchSize;
        readonly int _limit;
        SqsQueue? _queue;
        ReceiveEndpointTopology? _topology;

        public ReceiveAgent(AmazonSqsReceiveEndpointContext context)
            : base(context)
        {
            _context = context;
            _transport = context.Transport;
            _limit = Math.Max(1, context.ConcurrentMessageLimit ?? context.PrefetchCount);
            _slots = new SemaphoreSlim(_limit, _limit);
            _batchSize = Math.Min(10, _limit);
            Task.Run(StartupAsync);
        }

        Task ReceiveTransportHandle.Stop(CancellationToken cancellationToken) => this.Stop("Stop Receive Transport", cancellationToken);

        async Task StartupAsync()
        {
            try
            {
                await _context.DependenciesReady.WaitAsync(Stopping).ConfigureAwait(false);

                // An endpoint nothing consumes from yet (the bus endpoint until a request is made) creates no queue.
                if (!_context.ReceivePipe.Connected.IsCompleted)
                {
                    await _context.TransportObservers.NotifyReady(_context.InputAddress, false).ConfigureAwait(false);
                    SetReady();
                    await _context.ReceivePipe.Connected.WaitAsync(Stopping).ConfigureAwait(false);
                }

                var topology = await ProvisionAsync().ConfigureAwait(false);
                _topology = topology;
                _queue = topology.Queue;

                IErrorTransport errorTransport = new AmazonSqsErrorTransport(_transport, topology.ErrorQueue);
                IDeadLetterTransport deadLetterTransport = new AmazonSqsDeadLetterTransport(_transport, topology.SkippedQueue);
                _context.AddOrUpdatePayload(() => errorTransport, _ => errorTransport);
                _context.AddOrUpdatePayload(() => deadLetterTransport, _ => deadLetterTransport);

                await _context.TransportObservers.NotifyReady(_context.InputAddress).ConfigureAwait(false);
                if (!IsAlreadyReady) SetReady();

                if (!_transport.Options.Poll)
                {
                    _transport.Receivers.Add(this);
                    TrySetConsumeTask(WaitForHandedInAsync());
                    return;
                }

                // One long poll fetches at most ten messages: enough pollers to keep every slot busy.
                var pollers = Enumerable.Range(0, Math.Max(1, (_limit + 9) / 10)).Select(_ => Task.Run(PollAsync)).ToArray();
                TrySetConsumeTask(Task.WhenAll(pollers));
            }
            catch (OperationCanceledException) when (IsStopping)
            {
            }
            catch (Exception exception)
            {
                // Observers learn of it, so the bus start fails with the reason instead of waiting for its timeout.
                await _context.TransportObservers.NotifyFaulted(_context.InputAddress, exception).ConfigureAwait(false);
                SetNotReady(exception);
                TrySetConsumeTask(Task.CompletedTask);
            }
        }

        public string QueueName => _queue?.Name ?? _context.EntityName;

        // Until the stop: messages handed in are dispatched like polled ones, and the stop waits for those in progress.
        async Task WaitForHandedInAsync()
        {
            try
            {
                await Task.Delay(Timeout.Infinite, Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                _transport.Receivers.Remove(this);
            }
        }

        public async Task<bool> DeliverAsync(Message message, CancellationToken cancellationToken = default)
        {
            var queue = _queue ?? throw new InvalidOperationException($"The endpoint {_context.QueueName} has not started.");
            var lockContext = new AmazonSqsReceiveLockContext(_transport, queue.Url, message, _topology?.ErrorQueue, settledBySource: true);
            await ProcessAsync(queue, message, lockContext).ConfigureAwait(false);
            return lockContext.Completed;
        }

        async Task<ReceiveEndpointTopology> ProvisionAsync()
        {
            var attempt = 0;
            while (true)
            {
                try
                {
                    return await _transport.Provisioner.EnsureQueueEndpointAsync(_context.EntityName, _context.ConsumedMessageTypes,
                        _transport.ReceiveQueueAttributes, _context.IsTemporary ? 0 : _transport.Options.RedriveMaxReceiveCount,
                        Stopping).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not (ArgumentException or InvalidOperationException or OperationCanceledException) && attempt < 10)
                {
                    attempt++;
                    LogProvisioningRetry(_transport.Logger, _context.QueueName, attempt, e.Message);
                    await Task.Delay(Backoff(attempt), Stopping).ConfigureAwait(false);
                }
            }
        }

        async Task PollAsync()
        {
            var queue = _queue!;
            var fifo = AmazonSqsEntityNames.IsFifo(queue.Name);
            var failures = 0;
            while (!IsStopping)
            {
                int wanted;
                try
                {
                    wanted = await TakeSlotsAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                List<Message> messages;
                try
                {
                    // Not cancelled by the stop: a long poll abandoned mid-way still takes the messages that arrive,
                    // and they would stay invisible until their timeout. The stop waits for it and gives them back.
                    var response = await _transport.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                    {
                        QueueUrl = queue.Url,
                        MaxNumberOfMessages = wanted,
                        WaitTimeSeconds = _transport.Options.WaitTimeSeconds,
                        MessageAttributeNames = ["All"],
                        MessageSystemAttributeNames = ["ApproximateReceiveCount", "MessageGroupId"],
                    }, CancellationToken.None).ConfigureAwait(false);
                    messages = response.Messages ?? [];
                    failures = 0;
                }
                catch (Exception e)
                {
                    _slots.Release(wanted);
                    if (IsStopping)
                        return;
                    failures++;
                    LogReceiveFailed(_transport.Logger, queue.Name, failures, e.Message);
                    try
                    {
                        await Task.Delay(Backoff(failures), Stopping).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    continue;
                }

                if (IsStopping)
                {
                    await ReleaseAsync(queue, messages).ConfigureAwait(false);
                    _slots.Release(wanted);
                    return;
                }

                if (messages.Count < wanted)
                    _slots.Release(wanted - messages.Count);

                if (fifo)
                {
                    foreach (var group in messages.GroupBy(m => m.Attributes?.GetValueOrDefault("MessageGroupId") ?? ""))
                        _ = HandleInOrderAsync(queue, group.ToList());
                }
                else
                {
                    foreach (var message in messages)
                        _ = HandleAsync(queue, message);
                }
            }
        }

        async Task ReleaseAsync(SqsQueue queue, List<Message> messages)
        {
            if (messages.Count == 0)
                return;
            try
            {
                await _transport.Sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
                {
                    QueueUrl = queue.Url,
                    Entries = messages.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ReceiptHandle)
                    {
                        VisibilityTimeout = 0,
                    }).ToList(),
                }).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogReceiveFailed(_transport.Logger, queue.Name, 1, "giving back messages received during the stop failed: " + e.Message);
            }
        }

        /// <summary>
        /// Takes the slots for one receive: at least one, and up to a full batch if they come free within
        /// <see cref="BatchFillWait"/>. Under load slots free up every few milliseconds, so waiting for them turns many
        /// small receives into few full ones (each request costs the client and SQS more than a message in it); when
        /// idle every slot is free and nothing waits. One poller fills at a time, so pollers never split the slots
        /// between them and each go off half-empty.
        /// </summary>
        async Task<int> TakeSlotsAsync()
        {
            await _filling.WaitAsync(Stopping).ConfigureAwait(false);
            var taken = 0;
            try
            {
                await _slots.WaitAsync(Stopping).ConfigureAwait(false);
                taken = 1;
                var deadline = Environment.TickCount64 + (long)BatchFillWait.TotalMilliseconds;
                while (taken < _batchSize)
                {
                    var left = deadline - Environment.TickCount64;
                    var free = _slots.Wait(0)
                               || left > 0 && await _slots.WaitAsync(TimeSpan.FromMilliseconds(left), Stopping).ConfigureAwait(false);
                    if (!free)
                        break;
                    taken++;
                }

                return taken;
            }
            catch (OperationCanceledException)
            {
                if (taken > 0)
                    _slots.Release(taken);
                throw;
            }
            finally
            {
                _filling.Release();
            }
        }

        async Task HandleInOrderAsync(SqsQueue queue, List<Message> messages)
        {
            foreach (var message in messages)
                await HandleAsync(queue, message).ConfigureAwait(false);
        }

        async Task HandleAsync(SqsQueue queue, Message message)
        {
            try
            {
                await ProcessAsync(queue, message, new AmazonSqsReceiveLockContext(_transport, queue.Url, message, _topology?.ErrorQueue,
                    visibilityTimeout: queue.VisibilityTimeout))
                    .ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }

        async Task ProcessAsync(SqsQueue queue, Message message, AmazonSqsReceiveLockContext lockContext)
        {
            try
            {
                if (IsStopping)
                {
                    await lockContext.ReleaseAsync(TimeSpan.Zero).ConfigureAwait(false);
                    return;
                }

                LogContext.Current = _context.LogContext;
                var headers = SqsTransportHeaders.FromAttributes(
                    message.MessageAttributes?.Select(a => new KeyValuePair<string, string>(a.Key, a.Value.StringValue ?? "")) ?? []);

                // A producer that is not MassTransit (S3 notifications, say) sends no message id; SQS's own id is stable
                // across redeliveries of that message, so the inbox can still tell a redelivery from a new message. An
                // envelope has its id inside.
                if (!headers.ContainsKey(MessageHeaders.MessageId)
                    && !SqsTransportHeaders.IsEnvelope(headers.GetValueOrDefault(SqsTransportHeaders.ContentType))
                    && Guid.TryParse(message.MessageId, out _))
                    headers[MessageHeaders.MessageId] = message.MessageId;
                var body = headers.TryGetValue(SqsTransportHeaders.BodyReference, out var reference)
                    ? await ClaimCheck.LoadAsync(_transport, reference, Stopping).ConfigureAwait(false)
                    : Encoding.UTF8.GetBytes(message.Body ?? "");

                var context = new AmazonSqsReceiveContext(message, body, headers, lockContext.ReceiveCount > 1, _context);
                try
                {
                    await Dispatch(message.MessageId, context, lockContext).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    context.LogTransportFaulted(exception);
                }
                finally
                {
                    context.Dispose();
                }
            }
            catch (Exception exception)
            {
                LogReceiveFailed(_transport.Logger, queue.Name, 1, exception.Message);
                await lockContext.Faulted(exception).ConfigureAwait(false);
            }
            finally
            {
                await lockContext.DisposeAsync().ConfigureAwait(false);
            }
        }

        static TimeSpan Backoff(int attempt) =>
            TimeSpan.FromMilliseconds(Math.Min(MaxPollBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(attempt, 10))));

        protected override async Task ActiveAndActualAgentsCompleted(StopContext context)
        {
            await base.ActiveAndActualAgentsCompleted(context).ConfigureAwait(false);
            if (_context.IsTemporary && _topology is { } topology)
                await DeleteTemporaryQueuesAsync(topology).ConfigureAwait(false);
            await _context.TransportObservers.NotifyCompleted(_context.InputAddress, this).ConfigureAwait(false);
            _context.LogConsumerCompleted(DeliveryCount, ConcurrentDeliveryCount);
        }

        // The bus endpoint's queues belong to this process only; left behind they would pile up with every restart.
        async Task DeleteTemporaryQueuesAsync(ReceiveEndpointTopology topology)
        {
            foreach (var queue in new[] { topology.Queue, topology.ErrorQueue, topology.SkippedQueue })
            {
                try
                {
                    await _transport.Sqs.DeleteQueueAsync(queue.Url).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    LogReceiveFailed(_transport.Logger, queue.Name, 1, "deleting the temporary queue failed: " + e.Message);
                }
            }
        }

        [LoggerMessage(LogLevel.Warning, "SQS receive from {Queue} failed ({Failures} in a row): {Reason}")]
        static partial void LogReceiveFailed(ILogger logger, string queue, int failures, string reason);

        [LoggerMessage(LogLevel.Warning, "SQS/SNS resources of endpoint {Endpoint} not ready (attempt {Attempt}): {Reason}")]
        static partial void LogProvisioningRetry(ILogger logger, string endpoint, int attempt, string reason);
    }
}
