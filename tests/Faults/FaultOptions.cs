namespace Shop.Faults;

/// <summary>The command line: <c>--transport rabbitmq|sqs</c>, <c>--orders N</c>, <c>--images N</c>, <c>--rate N</c>, <c>--poison N</c>, <c>--quick</c>, <c>--out DIR</c>, <c>--keep-services</c>.</summary>
public sealed record FaultOptions
{
    public string Transport { get; init; } = "rabbitmq";
    public int Orders { get; init; } = 1000;
    public int Images { get; init; } = 200;

    /// <summary>Orders per second; images arrive at the pace that spreads them over the same period.</summary>
    public double Rate { get; init; } = 3;

    public int Poison { get; init; } = 20;
    public double DuplicateShare { get; init; } = 0.10;
    public bool Quick { get; init; }
    public string? Out { get; init; }
    public bool KeepServices { get; init; }

    /// <summary>How long the orders may take to end after the last fault has recovered, before the rest count as stuck.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    public bool IsSqs => Transport == "sqs";

    public static FaultOptions Parse(string[] args)
    {
        var options = new FaultOptions();
        if (args.Contains("--quick"))
            options = options with { Quick = true, Orders = 100, Images = 20, Poison = 4, Rate = 1, SettleTimeout = TimeSpan.FromMinutes(8) };

        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--quick" => options,
                "--transport" => options with { Transport = Next().ToLowerInvariant() },
                "--orders" => options with { Orders = int.Parse(Next()) },
                "--images" => options with { Images = int.Parse(Next()) },
                "--rate" => options with { Rate = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--poison" => options with { Poison = int.Parse(Next()) },
                "--settle-minutes" => options with { SettleTimeout = TimeSpan.FromMinutes(int.Parse(Next())) },
                "--out" => options with { Out = Next() },
                "--keep-services" => options with { KeepServices = true },
                _ => throw new ArgumentException($"unknown option '{args[i]}' (see tests/Faults/Program.cs)")
            };
        }

        if (options.Transport is not ("rabbitmq" or "sqs"))
            throw new ArgumentException($"--transport must be rabbitmq or sqs, not '{options.Transport}'");
        if (options.Orders < 10 || options.Rate <= 0)
            throw new ArgumentException("--orders must be at least 10 and --rate positive");
        return options;
    }
}
