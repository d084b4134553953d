using Amazon.Runtime;

namespace Shop.Messaging.AmazonSqs.Sns;

public sealed class SnsClientOptions
{
    /// <summary>Endpoint override (fauxqs, LocalStack); when null, <c>https://sns.{region}.amazonaws.com</c>.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Signing region; when null, the AWS SDK's region chain (AWS_REGION, profile, instance metadata).</summary>
    public string? Region { get; set; }

    /// <summary>When null, the AWS SDK's default credentials chain (environment, profile, container, instance role).</summary>
    public AWSCredentials? Credentials { get; set; }
}
