using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Shop.Cli.Configuration;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Messaging.AmazonSqs.Transport;

namespace Shop.Cli.Errors;

/// <summary>
/// Error queues on SQS: looking receives messages with a visibility timeout and makes them visible again at once;
/// replaying sends each message to the endpoint's queue (same body, same attributes less the fault's) and deletes it
/// from the error queue only after the send succeeded. A replay killed half-way leaves what it had taken invisible for
/// the hold (<c>--hold</c>, 60 seconds by default), then back in the error queue.
/// </summary>
public sealed class AmazonSqsErrorQueues : IErrorQueues
{
    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(60);

    readonly AmazonSQSClient _sqs;
    readonly AmazonSqsEntityNames _names;
    readonly TimeSpan _hold;

    AmazonSqsErrorQueues(AmazonSQSClient sqs, AmazonSqsEntityNames names, TimeSpan hold)
    {
        _sqs = sqs;
        _names = names;
        _hold = hold;
    }

    public static AmazonSqsErrorQueues Connect(BusConnection bus, TimeSpan hold)
    {
        var options = bus.Options.AmazonSqs;
        var region = AmazonSqsTransportContext.ResolveRegion(options);
        var config = new AmazonSQSConfig();
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = region;
        }

        var sqs = !string.IsNullOrWhiteSpace(options.AccessKey) && !string.IsNullOrWhiteSpace(options.SecretKey)
            ? new AmazonSQSClient(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config)
            : new AmazonSQSClient(config);
        return new AmazonSqsErrorQueues(sqs, options.Names(), hold);
    }

    public async Task<IReadOnlyList<ErrorQueue>> ListAsync(string? endpoint, CancellationToken cancellationToken)
    {
        var urls = new List<string>();
        if (endpoint is not null)
        {
            if (await FindAsync(_names.ErrorQueue(endpoint), cancellationToken) is { } url)
                urls.Add(url);
        }
        else
        {
            var request = new ListQueuesRequest { QueueNamePrefix = _names.Prefix.Length > 0 ? _names.Prefix : null, MaxResults = 1000 };
            do
            {
                var page = await _sqs.ListQueuesAsync(request, cancellationToken);
                urls.AddRange((page.QueueUrls ?? []).Where(u => IsErrorQueue(QueueName(u))));
                request.NextToken = page.NextToken;
            } while (request.NextToken is not null);
        }

        var list = new List<ErrorQueue>();
        foreach (var url in urls.OrderBy(QueueName, StringComparer.Ordinal))
        {
            var name = QueueName(url);
            var attributes = await _sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"], cancellationToken);
            list.Add(new ErrorQueue(Endpoint(name), name, attributes.ApproximateNumberOfMessages));
        }

        return list;
    }

    public async Task<IReadOnlyList<ErroredMessage>> PeekAsync(string endpoint, int limit, CancellationToken cancellationToken)
    {
        var url = await RequireAsync(_names.ErrorQueue(endpoint), cancellationToken);
        var taken = new List<Message>();
        try
        {
            while (taken.Count < limit && await ReceiveAsync(url, Math.Min(10, limit - taken.Count), cancellationToken) is { Count: > 0 } batch)
                taken.AddRange(batch);
            return taken.Select(m => Read(endpoint, m)).ToList();
        }
        finally
        {
            await ReleaseAsync(url, taken);
        }
    }

    public async Task<ReplayOutcome> ReplayAsync(string endpoint, Func<ErroredMessage, bool> select, bool dryRun,
        Action<ErroredMessage> replayed, CancellationToken cancellationToken)
    {
        var errorUrl = await RequireAsync(_names.ErrorQueue(endpoint), cancellationToken);
        var targetName = _names.Queue(endpoint);
        var targetUrl = await FindAsync(targetName, cancellationToken)
            ?? throw new CliException(ExitCodes.NotFound, $"the endpoint's queue '{targetName}' does not exist: nothing to replay to.");
        var waiting = (await _sqs.GetQueueAttributesAsync(errorUrl, ["ApproximateNumberOfMessages"], cancellationToken)).ApproximateNumberOfMessages;

        var kept = new List<Message>();
        int count = 0, seen = 0;
        try
        {
            while (seen < waiting && await ReceiveAsync(errorUrl, 10, cancellationToken) is { Count: > 0 } batch)
            {
                foreach (var received in batch)
                {
                    seen++;
                    var message = Read(endpoint, received);
                    if (!select(message))
                    {
                        kept.Add(received);
                        continue;
                    }

                    if (dryRun)
                        kept.Add(received);
                    else
                    {
                        await _sqs.SendMessageAsync(ReplayRequest(targetUrl, received, message), cancellationToken);
                        await _sqs.DeleteMessageAsync(errorUrl, received.ReceiptHandle, cancellationToken);
                    }

                    count++;
                    replayed(message);
                }
            }
        }
        finally
        {
            await ReleaseAsync(errorUrl, kept);
        }

        var left = (await _sqs.GetQueueAttributesAsync(errorUrl, ["ApproximateNumberOfMessages"], cancellationToken)).ApproximateNumberOfMessages;
        return new ReplayOutcome(count, left);
    }

    public async Task<long> PurgeAsync(string endpoint, CancellationToken cancellationToken)
    {
        var url = await RequireAsync(_names.ErrorQueue(endpoint), cancellationToken);
        var depth = (await _sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"], cancellationToken)).ApproximateNumberOfMessages;
        await _sqs.PurgeQueueAsync(url, cancellationToken);
        return depth;
    }

    SendMessageRequest ReplayRequest(string targetUrl, Message received, ErroredMessage message)
    {
        var request = new SendMessageRequest
        {
            QueueUrl = targetUrl,
            MessageBody = received.Body,
            MessageAttributes = SqsTransportHeaders.ToAttributes(message.ReplayHeaders(), [])
                .ToDictionary(a => a.Key, a => new MessageAttributeValue { DataType = "String", StringValue = a.Value }),
        };
        if (AmazonSqsEntityNames.IsFifo(targetUrl))
        {
            request.MessageGroupId = received.Attributes?.GetValueOrDefault("MessageGroupId") ?? "default";
            request.MessageDeduplicationId = $"{received.MessageId}-replay-{message.ReplayCount + 1}";
        }

        return request;
    }

    async Task<List<Message>> ReceiveAsync(string url, int max, CancellationToken cancellationToken)
    {
        var response = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = max,
            WaitTimeSeconds = 1,
            VisibilityTimeout = (int)Math.Ceiling(_hold.TotalSeconds),
            MessageAttributeNames = ["All"],
            MessageSystemAttributeNames = ["All"],
        }, cancellationToken);
        return response.Messages ?? [];
    }

    /// <summary>Makes messages taken for a look (or left by a selective replay) visible again at once.</summary>
    async Task ReleaseAsync(string url, List<Message> messages)
    {
        foreach (var chunk in messages.Chunk(10))
        {
            await _sqs.ChangeMessageVisibilityBatchAsync(url, chunk.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry
            {
                Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ReceiptHandle = m.ReceiptHandle,
                VisibilityTimeout = 0,
            }).ToList());
        }
    }

    static ErroredMessage Read(string endpoint, Message message)
    {
        var headers = SqsTransportHeaders.FromAttributes((message.MessageAttributes ?? [])
            .Select(a => new KeyValuePair<string, string>(a.Key, a.Value.StringValue ?? "")));
        return ErroredMessage.Read(endpoint, headers, message.Body ?? "", message.MessageId);
    }

    async Task<string> RequireAsync(string queue, CancellationToken cancellationToken) =>
        await FindAsync(queue, cancellationToken) ?? throw new CliException(ExitCodes.NotFound, $"there is no SQS queue '{queue}'.");

    async Task<string?> FindAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            return (await _sqs.GetQueueUrlAsync(queue, cancellationToken)).QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
            return null;
        }
    }

    static string QueueName(string url) => url[(url.LastIndexOf('/') + 1)..];

    static bool IsErrorQueue(string name) => name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_error.fifo", StringComparison.Ordinal);

    string Endpoint(string queueName)
    {
        var fifo = AmazonSqsEntityNames.IsFifo(queueName);
        var bare = fifo ? queueName[..^AmazonSqsEntityNames.FifoSuffix.Length] : queueName;
        bare = bare[_names.Prefix.Length..^"_error".Length];
        return fifo ? bare + AmazonSqsEntityNames.FifoSuffix : bare;
    }

    public ValueTask DisposeAsync()
    {
        _sqs.Dispose();
        return ValueTask.CompletedTask;
    }
}
