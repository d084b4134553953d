using Shop.Benchmarks;
using Shop.Benchmarks.Scenarios;
using Shop.Benchmarks.Scenarios.Thumbnails;
using Shop.Testing;

// Usage: dotnet run -c Release --project bench/Shop.Benchmarks -- [--quick] [--scenarios 1,2,2x,3,3c,4,5,6,7,8,8f,9,10] [--messages N]
//        [--warmup N] [--warmup-seconds N] [--concurrency N] [--lag-samples N] [--background-rate N] [--orders N] [--photos N] [--rounds N] [--breakdown-rounds N]
//        [--image-concurrency N] [--wolverine-listener inline|buffered] [--wolverine-prepared true|false] [--postgres-tls true|false]
//        [--reverse-pass true|false]
//        [--out DIR]
// Needs the services of scripts/services.sh (SHOP_TEST_* settings in the environment); scenario 6 also needs fauxqs
// (eval "$(scripts/fauxqs.sh --env)"); scenario 7 needs none.
if (args.FirstOrDefault() == ThumbnailChild.Command)
    return await ThumbnailChild.Run(args[1..]);

var arguments = Arguments.Parse(args);
var settings = new BenchSettings(
    Messages: arguments.Int("messages", arguments.Quick ? 300 : 20_000),
    PayloadBytes: arguments.Int("payload-bytes", 512),
    Concurrency: arguments.Int("concurrency", 32),
    LagSamples: arguments.Int("lag-samples", arguments.Quick ? 30 : 500),
    Quick: arguments.Quick,
    Warmup: arguments.Int("warmup", arguments.Quick ? 20 : 5_000))
{
    WarmupTime = TimeSpan.FromSeconds(arguments.Int("warmup-seconds", arguments.Quick ? 0 : 20)),
    Orders = arguments.Int("orders", arguments.Quick ? 40 : 1_000),
    Thumbnails = new ThumbnailSettings(
        Photos: arguments.Int("photos", arguments.Quick ? 1 : 16),
        Width: arguments.Quick ? 1000 : 4000,
        Height: arguments.Quick ? 750 : 3000,
        Rounds: arguments.Int("rounds", arguments.Quick ? 1 : 7),
        Concurrency: arguments.Int("image-concurrency", 2),
        WarmUpSeconds: arguments.Quick ? 0 : 3),
};
// Scenario 4's load: 0 measures the sustained request rate first and loads at half of it.
var backgroundRate = arguments.Int("background-rate", arguments.Quick ? 50 : 0);
var output = arguments.String("out", Path.Combine("bench", "results"));
var only = arguments.String("scenarios", "1,2,3,4,5,6,7,8,9,10").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();

var postgres = PostgresConnection.Choose(arguments.String("postgres-tls", "false") == "true");

Console.WriteLine($"Shop benchmarks — {Environment.ProcessorCount} cores, {settings.Messages} messages of {settings.PayloadBytes} B " +
                  $"after at least {settings.WarmupTime.TotalSeconds:0} s untimed (rounds of {settings.Warmup}), " +
                  $"concurrency {settings.Concurrency}, PostgreSQL {postgres}{(settings.Quick ? " (quick run: figures are not meaningful)" : "")}");

var results = new List<BenchResult>();
async Task<T> InEnvironment<T>(Func<IntegrationEnvironment, Task<T>> scenario)
{
    var environment = new IntegrationEnvironment();
    await environment.InitializeAsync();
    try
    {
        return await scenario(environment);
    }
    finally
    {
        await environment.DisposeAsync();
    }
}

// Scenarios 1, 2, 9, 3 and 10 are compared with each other as ratios. With --reverse-pass true they run in that order
// and then again in the reverse one (1 2 9 3 10 10 3 9 2 1), and each figure is the mean of its two windows: the
// machine's speed was measured drifting by up to a factor of two within minutes (docs/performance.md), and a fixed
// order always handed the later scenario of a pair the later minutes.
var reversePass = arguments.String("reverse-pass", "false") == "true";
// The same connection settings as ours (prepared statements) unless --wolverine-prepared false.
var peerPrepared = arguments.String("wolverine-prepared", "true") == "true";
var compared = new List<(string Key, Func<Task<BenchResult>> Run)>();
if (only.Contains("1") || only.Contains("2"))
    compared.Add(("1", () => InEnvironment(env => RawRabbitMqScenario.Run(new Uri(env.RabbitMqUrl), settings))));
if (only.Contains("2") || only.Contains("3"))
    compared.Add(("2", () => InEnvironment(env => MassTransitScenario.RunPlain(env.RabbitMqUrl, settings))));
if (only.Contains("9"))
    compared.Add(("9", () => InEnvironment(env => WolverinePeer.Run(env.RabbitMqUrl, null, settings, arguments.String("wolverine-listener", "inline")))));
if (only.Contains("3"))
    compared.Add(("3", () => InEnvironment(env => MassTransitScenario.RunDurable(env.RabbitMqUrl, env.ConnectionString, settings))));
if (only.Contains("10"))
{
    compared.Add(("10", () => InEnvironment(env => WolverinePeer.Run(env.RabbitMqUrl,
        peerPrepared ? Shop.ServiceDefaults.ServiceDatabaseExtensions.WithPreparedStatements(env.ConnectionString) : env.ConnectionString, settings))));
}

var measured = new Dictionary<string, BenchResult>();
foreach (var (key, run) in compared)
    measured[key] = await run();
if (reversePass)
{
    foreach (var (key, run) in Enumerable.Reverse(compared))
        measured[key] = BenchResult.MeanOfWindows(measured[key], await run());
}

var raw = measured.GetValueOrDefault("1");
var plain = measured.GetValueOrDefault("2");
var peerPlain = measured.GetValueOrDefault("9");
var durable = measured.GetValueOrDefault("3");
var peerDurable = measured.GetValueOrDefault("10");
if (raw is not null)
    results.AddRange(raw.WithCpuRows());
if (plain is not null)
    results.AddRange((raw is null ? plain : plain with { Baseline = raw.Scenario, Ratio = plain.Value / raw.Value, Target = ">= 0.70" }).WithCpuRows());

// Diagnostic, only when asked for: bare MassTransit with our pieces added back one at a time (issue 23's plain goal).
if (only.Contains("2x"))
    results.AddRange(await InEnvironment(env => PlainPathBreakdown.Run(env.RabbitMqUrl, settings, arguments.Int("breakdown-rounds", arguments.Quick ? 1 : 3))));

if (peerPlain is not null)
{
    results.AddRange((raw is null ? peerPlain : peerPlain with { Baseline = raw.Scenario, Ratio = peerPlain.Value / raw.Value }).WithCpuRows());
    if (plain is not null)
        results.Add(WolverinePeer.Versus(plain, peerPlain));
}

if (durable is not null)
{
    results.AddRange((plain is null ? durable : durable with { Baseline = plain.Scenario, Ratio = durable.Value / plain.Value, Target = ">= 0.30" }).WithCpuRows());

    var npgsql = await InEnvironment(env => RawNpgsqlScenario.Run(env.ConnectionString, settings));
    results.AddRange(npgsql.WithCpuRows());
    results.Add(new BenchResult(durable.Scenario, "vs hand-written Npgsql", durable.Value, "msg/s", npgsql.Scenario, durable.Value / npgsql.Value));
}

if (peerDurable is not null)
{
    results.AddRange((peerPlain is null ? peerDurable : peerDurable with { Baseline = peerPlain.Scenario, Ratio = peerDurable.Value / peerPlain.Value }).WithCpuRows());
    if (durable is not null)
        results.Add(WolverinePeer.Versus(durable, peerDurable, ">= 1.50"));
}

if (only.Contains("3c"))
    results.AddRange((await InEnvironment(env => EfInboxScenario.Run(env.ConnectionString, settings))).WithCpuRows());

if (only.Contains("5"))
    results.AddRange(await InEnvironment(env => OrderFlowScenario.Run(env, settings)));

if (only.Contains("4"))
{
    results.AddRange(await InEnvironment(env =>
        BusOutboxLagScenario.Run(new Uri(env.RabbitMqUrl), env.RabbitMqUrl, env.ConnectionString, settings, backgroundRate)));
}

if (only.Contains("6"))
    results.AddRange(await AmazonSqsComparison.Run(settings, arguments.Int("rounds", arguments.Quick ? 1 : 5)));
if (only.Contains("7"))
    results.AddRange(await ThumbnailScenario.Run(settings.Thumbnails));
if (only.Contains("8"))
{
    results.AddRange(await InEnvironment(env => ReadModelProjectionScenario.Run(env, settings)));
    results.AddRange(await InEnvironment(env => ReadModelQueryScenario.Run(env, settings)));
}

if (only.Contains("8") || only.Contains("8f"))
    results.AddRange(await InEnvironment(env => ReadModelLagScenario.Run(env, settings)));

Report.Print(results);
await Report.Write(results, settings, output);
return 0;

sealed record Arguments(Dictionary<string, string> Values, bool Quick)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var quick = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i].TrimStart('-');
            if (name == "quick")
                quick = true;
            else if (i + 1 < args.Length)
                values[name] = args[++i];
        }

        return new Arguments(values, quick);
    }

    public int Int(string name, int fallback) => Values.TryGetValue(name, out var value) ? int.Parse(value) : fallback;
    public string String(string name, string fallback) => Values.GetValueOrDefault(name, fallback);
}
