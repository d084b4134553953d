using Shop.Images.Tests.Infrastructure;
using Shop.ProductImages.Upload;
using Xunit;

namespace Shop.Images.Tests;

[Trait("Category", "NoTransport")]
public sealed class When_an_upload_is_sniffed
{
    public static TheoryData<string, byte[]> Images => new()
    {
        { "jpeg", TestImages.Jpeg(16, 16) },
        { "png", TestImages.Png(16, 16) },
        { "webp", TestImages.Webp(16, 16) },
        { "gif", TestImages.Sample("sample.gif") },
        { "tiff", TestImages.Sample("sample.tiff") },
        { "bmp", TestImages.Sample("sample.bmp") },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void Should_tell_the_format_from_the_bytes(string format, byte[] bytes)
    {
        Assert.Equal(format, ImageFormatSniffer.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, ImageFormatSniffer.HeaderLength)))?.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, I am a text file pretending to be photo.jpg")]
    [InlineData("BM but not a bitmap at all, just text")]
    [InlineData("RIFF\0\0\0\0WAVEfmt ")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")]
    public void Should_recognise_nothing_else(string content)
    {
        Assert.Null(ImageFormatSniffer.Sniff(System.Text.Encoding.ASCII.GetBytes(content)));
    }
}
