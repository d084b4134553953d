namespace Shop.Messaging.AmazonSqs.Signing;

/// <summary>The key pair (and session token for temporary credentials) one request is signed with.</summary>
public sealed record AwsCredentialsSnapshot(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    // Keep the secret out of logs and exception messages.
    public override string ToString() => $"AwsCredentialsSnapshot {{ AccessKeyId = {AccessKeyId} }}";
}
