using Amazon.SQS;

namespace Shop.Testing;

/// <summary>
/// The transport the behaviour suites run on, from <c>SHOP_TEST_TRANSPORT</c>: <c>RabbitMq</c> (default) or
/// <c>AmazonSqs</c> (against fauxqs at <c>SHOP_TEST_AWS_ENDPOINT</c>). The same tests, the same expectations.
/// </summary>
public static class TestTransport
{
    public const string RabbitMq = "RabbitMq";
    public const string AmazonSqs = "AmazonSqs";

    public static string Name { get; } = Environment.GetEnvironmentVariable("SHOP_TEST_TRANSPORT") switch
    {
        null or "" => RabbitMq,
        var value when value.Equals(RabbitMq, StringComparison.OrdinalIgnoreCase) => RabbitMq,
        var value when value.Equals(AmazonSqs, StringComparison.OrdinalIgnoreCase) => AmazonSqs,
        var value => throw new InvalidOperationException($"SHOP_TEST_TRANSPORT is '{value}'; use {RabbitMq} or {AmazonSqs}."),
    };

    public static bool IsAmazonSqs => Name == AmazonSqs;

    const string AwsHint = "run: eval \"$(scripts/fauxqs.sh --env)\" (installs and starts fauxqs on 127.0.0.1), or scripts/test.sh";

    /// <summary>
    /// The fauxqs endpoint (SQS, SNS and S3) of every suite that needs one; a missing or silent one fails the test with
    /// what to run.
    /// </summary>
    public static async Task<Uri> AwsEndpoint()
    {
        var endpoint = Environment.GetEnvironmentVariable("SHOP_TEST_AWS_ENDPOINT");
        if (string.IsNullOrWhiteSpace(endpoint))
            throw new InvalidOperationException($"SHOP_TEST_AWS_ENDPOINT is not set; {AwsHint}");
        foreach (var variable in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" })
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)))
                throw new InvalidOperationException($"{variable} is not set; {AwsHint}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var health = await http.GetAsync(new Uri(new Uri(endpoint), "/health"));
            health.EnsureSuccessStatusCode();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException($"fauxqs does not answer at {endpoint} ({e.Message}); {AwsHint}", e);
        }

        return new Uri(endpoint);
    }

    public static string Region => Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";

    public static AmazonSQSClient CreateSqsClient(Uri endpoint) =>
        new(new AmazonSQSConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = Region });
}
