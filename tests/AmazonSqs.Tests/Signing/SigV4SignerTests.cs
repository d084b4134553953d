using Shop.Messaging.AmazonSqs.Signing;
using Xunit;

namespace Shop.AmazonSqs.Tests.Signing;

public class SigV4SignerTests
{
    public static TheoryData<string> TestSuite() => new(SigV4TestCase.Names());

    [Fact]
    public void The_test_suite_is_present()
    {
        // A missing copy step would otherwise turn the theory below into zero cases.
        Assert.True(SigV4TestCase.Names().Count() >= 10, $"expected the AWS vectors under {SigV4TestCase.Root}");
    }

    [Theory]
    [MemberData(nameof(TestSuite))]
    public void Should_reproduce_the_published_vector(string name)
    {
        var vector = SigV4TestCase.Load(name);

        var signature = SigV4Signer.Sign(vector.Request, vector.Credentials, vector.Region, vector.Service, vector.Time,
            addContentSha256Header: vector.SignBody);

        Assert.Equal(vector.ExpectedCanonicalRequest, signature.CanonicalRequest);
        Assert.Equal(vector.ExpectedStringToSign, signature.StringToSign);
        Assert.Equal(vector.ExpectedSignature, signature.Signature);
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential={vector.Credentials.AccessKeyId}/{vector.Time:yyyyMMdd}/{vector.Region}/{vector.Service}/aws4_request, " +
            $"SignedHeaders={vector.ExpectedCanonicalRequest.Split('\n')[^2]}, Signature={vector.ExpectedSignature}",
            signature.Authorization);
    }

    // Our own vectors with a path (the AWS suite above has none with an escaped character as sent on the wire): the
    // suite's credentials, region and time; the canonical URI as AWS's "Create a canonical request" reference spells it
    // ("/documents%2520and%2520settings/" for non-S3 services, encoded once for S3); the string to sign and signature
    // computed separately (Python's hashlib/hmac) from that canonical request.
    [Theory]
    [InlineData("service", "/documents%20and%20settings/", "/documents%2520and%2520settings/",
        "ca3e46f374c8458773208e0a44fb286f34d21c38aa2915a43ae9db9f294e8074", "23c9727f014f850a592311a0323b422f9c1e3ad2d406c610f00d64ab3272c75a")]
    [InlineData("s3", "/my-bucket//photo%20a+b.jpg", "/my-bucket//photo%20a%2Bb.jpg",
        "2977678bb5b9675281780b1adcf691fa715cbc69a0b5496ee15e5e9324683c81", "7562e67b4cd1540b484742f4746af2fa1876941119c4d210d26e833e80dc9f5f")]
    public void Should_encode_each_path_segment_twice_except_for_s3(string service, string pathAsSent, string canonicalUri,
        string canonicalRequestHash, string expectedSignature)
    {
        var signature = SigV4Signer.Sign(new SigningRequest("GET", pathAsSent).WithHeader("Host", "example.amazonaws.com"),
            new AwsCredentialsSnapshot("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "us-east-1", service,
            new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        Assert.Equal(
            $"GET\n{canonicalUri}\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", signature.CanonicalRequest);
        Assert.Equal($"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/{service}/aws4_request\n{canonicalRequestHash}",
            signature.StringToSign);
        Assert.Equal(expectedSignature, signature.Signature);
    }

    [Fact]
    public void When_credentials_carry_a_session_token_Should_send_it_as_a_header()
    {
        var signature = SigV4Signer.Sign(new SigningRequest("GET", "/").WithHeader("Host", "example.amazonaws.com"),
            new AwsCredentialsSnapshot("AKID", "secret", "token-1"), "us-east-1", "sns", DateTimeOffset.UnixEpoch);

        Assert.Contains(new KeyValuePair<string, string>("X-Amz-Security-Token", "token-1"), signature.HeadersToAdd);
        Assert.Contains("x-amz-security-token", signature.Authorization);
    }

    [Fact]
    public void Should_not_print_the_secret_key()
    {
        var credentials = new AwsCredentialsSnapshot("AKID", "very-secret");

        Assert.DoesNotContain("very-secret", credentials.ToString());
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b=c&d", "a%2Bb%3Dc%26d")]
    [InlineData("-._~", "-._~")]
    [InlineData("ሴ", "%E1%88%B4")]
    [InlineData("a/b", "a%2Fb")]
    public void Should_percent_encode_as_rfc_3986(string value, string expected) =>
        Assert.Equal(expected, SigV4Signer.UriEncode(value));
}
