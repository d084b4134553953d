using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Shop.Testing;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// The SQS peer of scenario 6 (fauxqs from scripts/fauxqs.sh) and this run's name prefix, so that runs never share a
/// queue and every queue a run created can be found and deleted afterwards.
/// </summary>
public sealed class SqsPeer : IDisposable
{
    SqsPeer(Uri endpoint, string region, string accessKey, string secretKey)
    {
        Endpoint = endpoint;
        Region = region;
        AccessKey = accessKey;
        SecretKey = secretKey;
        Sqs = new AmazonSQSClient(new BasicAWSCredentials(accessKey, secretKey),
            new AmazonSQSConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = region });
    }

    public Uri Endpoint { get; }
    public string Region { get; }
    public string AccessKey { get; }
    public string SecretKey { get; }
    public AmazonSQSClient Sqs { get; }
    public string Prefix { get; } = $"bench{DateTime.UtcNow:HHmmss}{Guid.NewGuid().ToString("N")[..4]}-";

    /// <summary>Fails with the reason when fauxqs is not configured or does not answer; a benchmark never skips.</summary>
    public static async Task<SqsPeer> Connect()
    {
        var endpoint = await TestTransport.AwsEndpoint();
        return new SqsPeer(endpoint, TestTransport.Region, Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")!,
            Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")!);
    }

    /// <summary>
    /// Waits until the queue holds nothing, in flight or not: the run is over when every message is deleted, not merely
    /// handed to a consumer.
    /// </summary>
    public async Task WaitUntilEmpty(string queueUrl, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var attributes = await Sqs.GetQueueAttributesAsync(queueUrl,
                ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
            if (attributes.ApproximateNumberOfMessages == 0 && attributes.ApproximateNumberOfMessagesNotVisible == 0)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{queueUrl} still holds {attributes.ApproximateNumberOfMessages} visible and " +
                                           $"{attributes.ApproximateNumberOfMessagesNotVisible} in-flight messages after {timeout}.");
            await Task.Delay(5);
        }
    }

    /// <summary>Deletes every queue of this run (the transport's <c>_error</c> and <c>_skipped</c> queues included).</summary>
    public async Task DeleteQueues()
    {
        var listed = await Sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = Prefix });
        foreach (var url in listed.QueueUrls ?? [])
            await Sqs.DeleteQueueAsync(url);
    }

    public void Dispose() => Sqs.Dispose();
}
