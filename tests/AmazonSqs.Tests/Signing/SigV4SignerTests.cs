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
