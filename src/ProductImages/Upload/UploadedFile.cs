using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.ProductImages.Endpoints;

namespace Shop.ProductImages.Upload;

/// <summary>The one file of an upload request, its format sniffed from its bytes and its size within the limit.</summary>
internal sealed class UploadedFile(Stream content, long length, SniffedFormat format) : IAsyncDisposable
{
    public Stream Content { get; } = content;
    public long Length { get; } = length;
    public SniffedFormat Format { get; } = format;

    public ValueTask DisposeAsync() => Content.DisposeAsync();

    public sealed record Outcome(UploadedFile? File, ProblemHttpResult? Problem);

    // Room for the multipart boundaries and part headers around the file itself.
    public const long MultipartOverhead = 64 * 1024;

    public static async Task<Outcome> Read(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes + MultipartOverhead)
            return TooLarge(maxBytes);
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return Fail(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the image as multipart/form-data with one file.");

        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
        {
            MultipartBodyLengthLimit = maxBytes,
            ValueCountLimit = 16,
            MultipartHeadersLengthLimit = 16 * 1024,
        }));

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException exception) when (exception.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return TooLarge(maxBytes);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }
        catch (Exception exception) when (exception is InvalidDataException or BadHttpRequestException or IOException)
        {
            return Fail(StatusCodes.Status400BadRequest, "Malformed upload", "The multipart body could not be read.");
        }

        if (form.Files.Count != 1)
            return Fail(StatusCodes.Status400BadRequest, "One file expected", $"The request carries {form.Files.Count} files; send exactly one.");

        var file = form.Files[0];
        if (file.Length == 0)
            return Fail(StatusCodes.Status400BadRequest, "Empty file", "The uploaded file is empty.");
        if (file.Length > maxBytes)
            return TooLarge(maxBytes);

        var content = file.OpenReadStream();
        var header = new byte[ImageFormatSniffer.HeaderLength];
        var read = await content.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        content.Position = 0;

        if (ImageFormatSniffer.Sniff(header.AsSpan(0, read)) is not { } format)
        {
            await content.DisposeAsync();
            return Fail(StatusCodes.Status415UnsupportedMediaType, "Unsupported image format",
                "The file is not a JPEG, PNG, WebP, GIF, TIFF or BMP image.");
        }

        return new Outcome(new UploadedFile(content, file.Length, format), null);
    }

    static Outcome TooLarge(long maxBytes) =>
        Fail(StatusCodes.Status413PayloadTooLarge, "Image too large", $"Images may be at most {maxBytes} bytes.");

    static Outcome Fail(int status, string title, string detail) => new(null, ProductImagesApi.Problem(status, title, detail));
}
