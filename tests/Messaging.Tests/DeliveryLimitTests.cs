using System.Diagnostics;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.PoisonHost;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// A message that kills its process is never acknowledged, so only a count kept by the broker can stop it: the
/// receiving service runs as a real child process (tests/PoisonHost), which is restarted after every crash, as a
/// supervisor would, until the message is parked. On both transports, whichever the suite runs on, and on RabbitMQ
/// both ways of counting: in the message on classic queues (the default) and by the broker on quorum queues.
/// </summary>
public sealed class When_a_message_takes_its_process_down(IntegrationEnvironment environment)
    : IClassFixture<IntegrationEnvironment>, IDisposable
{
    const int Limit = 3;
    const int MaxStarts = 10;
    readonly string _consumedLog = Path.Combine(Path.GetTempPath(), $"shop-poison-{Guid.NewGuid():N}.log");

    [Theory]
    [InlineData(TestTransport.RabbitMq, false)]
    [InlineData(TestTransport.RabbitMq, true)]
    [InlineData(TestTransport.AmazonSqs, false)]
    public async Task Should_park_it_in_the_error_queue_with_the_reason_after_the_delivery_limit_and_consume_the_others(string transport, bool quorumQueues)
    {
        var settings = await Settings(transport, quorumQueues);
        if (transport == TestTransport.RabbitMq)
        {
            // The cases share a virtual host, and a queue's type cannot change.
            foreach (var name in (string[])["work-item", "work-item_error"])
                await environment.Management.DeleteQueue(environment.VirtualHost, name);
        }

        var queues = await ErrorQueues(transport);

        var host = await PoisonHostProcess.Start(settings);
        var poison = Guid.NewGuid();
        var others = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();
        using (var publisher = await StartPublisher(settings))
        {
            var bus = publisher.Services.GetRequiredService<IBus>();
            foreach (var id in others.Take(5))
                await bus.Publish(new WorkItem(id, Poison: false));
            await bus.Publish(new WorkItem(poison, Poison: true));
            foreach (var id in others.Skip(5))
                await bus.Publish(new WorkItem(id, Poison: false));
            await publisher.StopAsync();
        }

        var crashes = 0;
        var parked = new List<TransportMessage>();
        try
        {
            await Eventually.Until(async () =>
            {
                if (host.HasExited)
                {
                    crashes++;
                    Assert.True(crashes < MaxStarts, $"the host crashed {crashes} times and the message is still not parked:\n{host.Output}");
                    host = await PoisonHostProcess.Start(settings);
                }

                parked.AddRange(await queues.Take("work-item_error"));
                return parked.Any(IsPoison) && Consumed().Count >= others.Count;
            }, "the poison to be parked and the others consumed", TimeSpan.FromMinutes(3),
                () => $"after {crashes} crashes: poison parked {parked.Any(IsPoison)}, consumed {Consumed().Count} of {others.Count}\n{host.Output}");
        }
        finally
        {
            host.Dispose();
        }

        Assert.Equal(Limit, crashes);
        var parkedPoison = Assert.Single(parked, IsPoison);
        Assert.Equal(typeof(DeliveryLimitExceededException).FullName, parkedPoison.Headers["MT-Fault-ExceptionType"]);
        Assert.StartsWith($"Delivered {Limit + 1} times", parkedPoison.Headers["MT-Fault-Message"]);
        Assert.Equal(others.Order(), Consumed().Order());
        // A crash can also lose the acknowledgement of a message consumed just before it (SQS deletes are batched a
        // few milliseconds later), and that delivery counts too: such a message may end up parked as well, but only
        // after it was consumed.
        Assert.All(parked.Where(message => !IsPoison(message)), message => Assert.Contains(Consumed(), id => message.Body.Contains(id.ToString("D"))));

        bool IsPoison(TransportMessage message) => message.Body.Contains(poison.ToString("D"), StringComparison.Ordinal);

        if (transport == TestTransport.RabbitMq && !quorumQueues)
        {
            // The count travelled in the message: the queue stayed classic, with no broker-side limit.
            var queue = await environment.Management.Queue(environment.VirtualHost, "work-item");
            Assert.Equal("classic", queue.GetProperty("type").GetString());
            Assert.False(queue.GetProperty("arguments").TryGetProperty("x-delivery-limit", out _));
            Assert.Equal(((long)Limit - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                parkedPoison.Headers[ClassicQueueRedelivery.EarlierDeliveriesHeader]);
        }

        if (transport == TestTransport.RabbitMq && quorumQueues)
        {
            // The count lives in a quorum queue; what waits for a person stays in a classic one.
            var queue = await environment.Management.Queue(environment.VirtualHost, "work-item");
            Assert.Equal("quorum", queue.GetProperty("type").GetString());
            Assert.Equal(Limit + 1, queue.GetProperty("arguments").GetProperty("x-delivery-limit").GetInt32());
            Assert.Equal("work-item_error", queue.GetProperty("arguments").GetProperty("x-dead-letter-exchange").GetString());
            Assert.Equal("classic", (await environment.Management.Queue(environment.VirtualHost, "work-item_error")).GetProperty("type").GetString());
        }
    }

    List<Guid> Consumed() => File.Exists(_consumedLog)
        ? File.ReadAllLines(_consumedLog).Where(line => line.Length > 0).Select(Guid.Parse).Distinct().ToList()
        : [];

    async Task<Dictionary<string, string?>> Settings(string transport, bool quorumQueues)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = transport,
            ["Messaging:PrefetchCount"] = "1",
            ["Messaging:Retry:ImmediateLimit"] = "0",
            ["Messaging:Retry:RedeliveryEnabled"] = "false",
            ["PoisonHost:ConsumedLog"] = _consumedLog,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (transport == TestTransport.AmazonSqs)
        {
            settings["Messaging:AmazonSqs:ServiceUrl"] = (await TestTransport.AwsEndpoint()).ToString();
            settings["Messaging:AmazonSqs:Region"] = TestTransport.Region;
            settings["Messaging:AmazonSqs:Prefix"] = environment.ResourcePrefix;
            settings["Messaging:AmazonSqs:WaitTimeSeconds"] = "1";
            // A crashed receiver's message comes back when its visibility lapses.
            settings["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:02";
            settings["Messaging:AmazonSqs:MaxReceiveCount"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            settings["Messaging:RabbitMq:Url"] = environment.RabbitMqUrl;
            settings["Messaging:RabbitMq:DeliveryLimit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Messaging:RabbitMq:QuorumQueues"] = quorumQueues.ToString();
        }

        return settings;
    }

    async Task<ITransportQueues> ErrorQueues(string transport) => transport == TestTransport.AmazonSqs
        ? new AmazonSqsQueues(TestTransport.CreateSqsClient(await TestTransport.AwsEndpoint()), new AmazonSqsEntityNames(environment.ResourcePrefix))
        : new RabbitMqQueues(environment.Management, environment.VirtualHost);

    static async Task<IHost> StartPublisher(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddShopMessaging(builder.Configuration, _ => { });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public void Dispose()
    {
        if (File.Exists(_consumedLog))
            File.Delete(_consumedLog);
    }
}

/// <summary>tests/PoisonHost as a child process, started with settings as command-line arguments.</summary>
sealed class PoisonHostProcess : IDisposable
{
    const string StartedLine = "Application started.";
    readonly Process _process;
    readonly StringBuilder _output = new();
    readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    PoisonHostProcess(Dictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Shop.PoisonHost.dll"));
        foreach (var (key, value) in settings)
            start.ArgumentList.Add($"--{key}={value}");
        // Lets the host's lifetime say when it has started (the bus is then bound), whatever the default log level.
        start.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, line) => Record(line.Data);
        _process.ErrorDataReceived += (_, line) => Record(line.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    void Record(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        if (line.Contains(StartedLine, StringComparison.Ordinal))
            _started.TrySetResult();
    }

    /// <summary>Started and its bus bound, or already crashed (the poison can be the first message it receives).</summary>
    public static async Task<PoisonHostProcess> Start(Dictionary<string, string?> settings)
    {
        var host = new PoisonHostProcess(settings);
        await Eventually.Completes(Task.WhenAny(host._started.Task, host._process.WaitForExitAsync()), "tests/PoisonHost to start",
            TimeSpan.FromSeconds(60), () => host.Output);

        return host;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
