using Npgsql;
using Xunit;

namespace Shop.Testing;

/// <summary>
/// A RabbitMQ virtual host (or, on SQS/SNS, a name prefix for queues and topics) and PostgreSQL databases of their
/// own for one test class (use it as a class fixture), so classes run side by side without seeing each other's
/// messages or rows. Everything is removed afterwards. <see cref="TestTransport"/> picks the transport.
/// </summary>
public class IntegrationEnvironment : IAsyncLifetime
{
    readonly string _name = $"t_{Guid.NewGuid():N}"[..20];
    readonly List<string> _databases = [];
    TestServices.Endpoints? _endpoints;
    Amazon.SQS.AmazonSQSClient? _sqs;

    /// <summary>The first database, created with the environment.</summary>
    public string ConnectionString { get; private set; } = "";

    public string VirtualHost => _name;
    public string RabbitMqUrl { get; private set; } = "";
    public RabbitMqManagement Management { get; private set; } = null!;

    /// <summary>On SQS/SNS, the prefix of this class's queues and topics.</summary>
    public string ResourcePrefix => _name + "-";

    public Uri? AwsEndpoint { get; private set; }

    /// <summary>The queues of the transport the suite runs on.</summary>
    public ITransportQueues Queues { get; private set; } = null!;

    /// <summary>Selects the transport under test in a service's settings (and points it at this class's broker space).</summary>
    public Dictionary<string, string?> WithTransport(Dictionary<string, string?> settings)
    {
        settings["Messaging:Transport"] = TestTransport.Name;
        settings["Messaging:RabbitMq:Url"] = RabbitMqUrl;
        if (TestTransport.IsAmazonSqs)
        {
            settings["Messaging:AmazonSqs:ServiceUrl"] = AwsEndpoint!.ToString();
            settings["Messaging:AmazonSqs:Region"] = TestTransport.Region;
            settings["Messaging:AmazonSqs:Prefix"] = ResourcePrefix;
            settings["Messaging:AmazonSqs:WaitTimeSeconds"] = "2";
        }

        return settings;
    }

    /// <summary>
    /// Idle when no queue of this class's broker space holds a message: counted by the broker itself (an AMQP passive
    /// declare on RabbitMQ, queue attributes on SQS), not from the management API's statistics, which lag by seconds.
    /// Messages handed to a consumer and not yet settled are the receiving bus's to report (<see cref="ReceiveActivity"/>);
    /// on RabbitMQ a queue without consumers (left by a host that stopped) counts as idle.
    /// </summary>
    public Quiescence.Probe QueuesEmpty() => TestTransport.IsAmazonSqs ? SqsQueuesEmpty : RabbitMqQueuesEmpty;

    // Error and skipped queues are where messages end, not where they come from.
    static bool IsSink(string queue)
    {
        var name = queue.EndsWith(".fifo", StringComparison.Ordinal) ? queue[..^5] : queue;
        return name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal);
    }

    async Task<string?> RabbitMqQueuesEmpty()
    {
        var names = (await Management.QueueNames(_name)).Where(name => !IsSink(name)).ToList();
        if (names.Count == 0)
            return null;

        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(RabbitMqUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        foreach (var name in names)
        {
            await using var channel = await connection.CreateChannelAsync();
            RabbitMQ.Client.QueueDeclareOk queue;
            try
            {
                queue = await channel.QueueDeclarePassiveAsync(name);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                continue; // deleted since it was listed (a temporary queue of a stopped bus)
            }

            // A queue nobody consumes any more (an earlier test's host) keeps its messages: nothing comes of them.
            if (queue.MessageCount > 0 && queue.ConsumerCount > 0)
                return $"{queue.MessageCount} message(s) in queue {name}";
        }

        return null;
    }

    async Task<string?> SqsQueuesEmpty()
    {
        foreach (var url in ((await _sqs!.ListQueuesAsync(ResourcePrefix)).QueueUrls ?? []).Where(url => !IsSink(url)))
        {
            var attributes = (await _sqs.GetQueueAttributesAsync(url,
                ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])).Attributes;
            var count = attributes.Values.Sum(value => long.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
            if (count > 0)
                return $"{count} message(s) in queue {url}";
        }

        return null;
    }

    public virtual async Task InitializeAsync()
    {
        _endpoints = await TestServices.Get();
        Management = new RabbitMqManagement(_endpoints.RabbitMqManagement);
        await Management.CreateVirtualHost(_name);
        RabbitMqUrl = new UriBuilder(_endpoints.RabbitMq) { Path = "/" + _name }.Uri.ToString();
        if (TestTransport.IsAmazonSqs)
        {
            AwsEndpoint = await TestTransport.AwsEndpoint();
            _sqs = TestTransport.CreateSqsClient(AwsEndpoint);
            Queues = new AmazonSqsQueues(_sqs, new Shop.Messaging.AmazonSqs.Topology.AmazonSqsEntityNames(ResourcePrefix));
        }
        else
            Queues = new RabbitMqQueues(Management, _name);
        ConnectionString = await CreateDatabase("main");
    }

    /// <summary>Another empty database, for a test that runs several services each with its own.</summary>
    public async Task<string> CreateDatabase(string purpose)
    {
        var endpoints = _endpoints ?? throw new InvalidOperationException("The environment is not initialised.");
        var database = $"{_name}_{purpose}".ToLowerInvariant();
        await using (var admin = new NpgsqlConnection(endpoints.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        _databases.Add(database);
        return new NpgsqlConnectionStringBuilder(endpoints.PostgresAdmin) { Database = database, MaxPoolSize = 50 }.ConnectionString;
    }

    public virtual async Task DisposeAsync()
    {
        if (_endpoints is null)
            return;

        await Management.DeleteVirtualHost(_name);
        Management.Dispose();
        if (_sqs is not null)
        {
            foreach (var url in (await _sqs.ListQueuesAsync(ResourcePrefix)).QueueUrls ?? [])
                await _sqs.DeleteQueueAsync(url);
            _sqs.Dispose();
        }

        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_endpoints.PostgresAdmin);
        await admin.OpenAsync();
        foreach (var database in _databases)
            await Drop(admin, database);
    }

    /// <summary>
    /// Best effort: an autovacuum worker busy in the database cannot be terminated by a non-superuser, so the drop is
    /// retried for a while and then left — a leftover test database harms nothing but disk space.
    /// </summary>
    static async Task Drop(NpgsqlConnection admin, string database)
    {
        string? refused = null;
        try
        {
            await Eventually.Until(async () =>
            {
                try
                {
                    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
                    await drop.ExecuteNonQueryAsync();
                    return true;
                }
                catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.InsufficientPrivilege
                                                              or PostgresErrorCodes.ObjectInUse)
                {
                    refused = exception.MessageText;
                    return false;
                }
            }, $"test database {database} to be dropped", TimeSpan.FromSeconds(5), () => refused ?? "");
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"test database {database} left behind: {refused}");
        }
    }
}
