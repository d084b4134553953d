using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Shop.Cli.Configuration;
using Shop.Messaging;

namespace Shop.Cli.Errors;

/// <summary>
/// Error queues on RabbitMQ: the management HTTP API lists the queues (AMQP cannot), AMQP does the rest. Looking
/// takes messages unacknowledged and gives them back when the channel closes; replaying publishes each message to the
/// endpoint's queue through the default exchange, waits for the broker's confirm, and only then acknowledges it.
/// </summary>
public sealed class RabbitMqErrorQueues : IErrorQueues
{
    const string ErrorSuffix = "_error";

    readonly IConnection _connection;
    readonly HttpClient _management;
    readonly string _virtualHost;

    RabbitMqErrorQueues(IConnection connection, HttpClient management, string virtualHost)
    {
        _connection = connection;
        _management = management;
        _virtualHost = virtualHost;
    }

    public static async Task<RabbitMqErrorQueues> ConnectAsync(BusConnection bus, CancellationToken cancellationToken)
    {
        var rabbit = bus.Options.RabbitMq;
        // The services' reading of the settings (URL, separate user and password, TLS), so the CLI connects as they do.
        var host = RabbitMqHostSettingsFactory.Create(rabbit);
        var factory = new ConnectionFactory
        {
            HostName = host.Host, Port = host.Port, VirtualHost = host.VirtualHost, UserName = host.Username, Password = host.Password,
            Ssl = new SslOption(host.SslServerName ?? host.Host, enabled: host.Ssl) { AcceptablePolicyErrors = host.AcceptablePolicyErrors },
        };
        factory.ClientProvidedName = "shop-cli";

        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is BrokerUnreachableException or OperationInterruptedException)
        {
            throw new CliException(ExitCodes.Failure, $"RabbitMQ could not be reached at {factory.HostName}:{factory.Port}: {exception.GetBaseException().Message}", exception);
        }

        var managementUrl = bus.RabbitMqManagementUrl!;
        var management = new HttpClient
        {
            BaseAddress = new UriBuilder(managementUrl) { UserName = "", Password = "", Path = "/api/" }.Uri,
            Timeout = TimeSpan.FromSeconds(30),
        };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(managementUrl.UserInfo))));
        return new RabbitMqErrorQueues(connection, management, bus.RabbitMqVirtualHost);
    }

    public async Task<IReadOnlyList<ErrorQueue>> ListAsync(string? endpoint, CancellationToken cancellationToken)
    {
        IEnumerable<string> names;
        if (endpoint is not null)
            names = [endpoint + ErrorSuffix];
        else
        {
            JsonElement queues;
            try
            {
                queues = await _management.GetFromJsonAsync<JsonElement>($"queues/{Uri.EscapeDataString(_virtualHost)}?columns=name", cancellationToken);
            }
            catch (HttpRequestException exception)
            {
                throw new CliException(ExitCodes.Failure,
                    $"the RabbitMQ management API at {_management.BaseAddress} did not answer ({exception.Message}); set --rabbitmq-management-url", exception);
            }

            names = queues.EnumerateArray().Select(q => q.GetProperty("name").GetString()!).Where(n => n.EndsWith(ErrorSuffix, StringComparison.Ordinal)).Order();
        }

        // The management API's counts lag by seconds; the queue's own count, asked over AMQP, does not.
        var list = new List<ErrorQueue>();
        foreach (var name in names)
            if (await DepthAsync(name, cancellationToken) is { } depth)
                list.Add(new ErrorQueue(name[..^ErrorSuffix.Length], name, depth));
        return list;
    }

    public async Task<IReadOnlyList<ErroredMessage>> PeekAsync(string endpoint, int limit, CancellationToken cancellationToken)
    {
        var queue = await RequireAsync(endpoint + ErrorSuffix, cancellationToken);
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var messages = new List<ErroredMessage>();
        while (messages.Count < limit && await channel.BasicGetAsync(queue, autoAck: false, cancellationToken) is { } got)
            messages.Add(Read(endpoint, got));

        // Closing the channel gives every unacknowledged message back to the queue, in its place.
        await channel.CloseAsync(cancellationToken);
        return messages;
    }

    public async Task<ReplayOutcome> ReplayAsync(string endpoint, Func<ErroredMessage, bool> select, bool dryRun,
        Action<ErroredMessage> replayed, CancellationToken cancellationToken)
    {
        var errorQueue = await RequireAsync(endpoint + ErrorSuffix, cancellationToken);
        if (await DepthAsync(endpoint, cancellationToken) is null)
            throw new CliException(ExitCodes.NotFound, $"the endpoint's queue '{endpoint}' does not exist: nothing to replay to.");

        var waiting = (await DepthAsync(errorQueue, cancellationToken))!.Value;
        await using var channel = await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);

        int count = 0, seen = 0;
        while (seen < waiting && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken) is { } got)
        {
            seen++;
            var message = Read(endpoint, got);
            if (!select(message))
                continue;

            if (!dryRun)
            {
                var properties = new BasicProperties(got.BasicProperties) { Headers = ReplayHeaders(got, message) };
                // mandatory: a queue deleted meanwhile returns the message (an exception here) instead of dropping it.
                await channel.BasicPublishAsync("", endpoint, mandatory: true, properties, got.Body, cancellationToken);
                await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken);
            }

            count++;
            replayed(message);
        }

        // What was not selected (and everything in a dry run) goes back to the error queue as the channel closes.
        await channel.CloseAsync(cancellationToken);
        return new ReplayOutcome(count, (int)((await DepthAsync(errorQueue, cancellationToken)) ?? 0));
    }

    public async Task<long> PurgeAsync(string endpoint, CancellationToken cancellationToken)
    {
        var queue = await RequireAsync(endpoint + ErrorSuffix, cancellationToken);
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return await channel.QueuePurgeAsync(queue, cancellationToken);
    }

    async Task<string> RequireAsync(string queue, CancellationToken cancellationToken) =>
        await DepthAsync(queue, cancellationToken) is null
            ? throw new CliException(ExitCodes.NotFound, $"there is no queue '{queue}' on virtual host '{_virtualHost}'.")
            : queue;

    /// <summary>Messages ready in a queue, or null when it does not exist (a passive declare fails its channel).</summary>
    async Task<long?> DepthAsync(string queue, CancellationToken cancellationToken)
    {
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    static ErroredMessage Read(string endpoint, BasicGetResult got)
    {
        var properties = got.BasicProperties;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in properties.Headers ?? new Dictionary<string, object?>())
            if (Text(value) is { } text)
                headers[name] = text;
        if (properties.ContentType is { } contentType)
            headers["Content-Type"] = contentType;
        return ErroredMessage.Read(endpoint, headers, Encoding.UTF8.GetString(got.Body.Span), properties.MessageId);
    }

    /// <summary>Header values as AMQP carries them: strings as bytes, numbers, timestamps, lists.</summary>
    static string? Text(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime).ToString("O"),
        IEnumerable<object> list => string.Join(", ", list.Select(Text)),
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>The original headers, with their AMQP types, less the fault's; the replay's own added.</summary>
    static Dictionary<string, object?> ReplayHeaders(BasicGetResult got, ErroredMessage message)
    {
        var headers = (got.BasicProperties.Headers ?? new Dictionary<string, object?>())
            .Where(h => !ErroredMessage.IsFaultHeader(h.Key))
            .ToDictionary(h => h.Key, h => h.Value);
        var replay = message.ReplayHeaders();
        headers[ErroredMessage.ReplayCountHeader] = message.ReplayCount + 1;
        if (replay.TryGetValue(ErroredMessage.FirstFaultedHeader, out var first))
            headers[ErroredMessage.FirstFaultedHeader] = Encoding.UTF8.GetBytes(first);
        return headers;
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.CloseAsync();
        _connection.Dispose();
        _management.Dispose();
    }
}
