namespace Shop.Images.Worker.Processing;

/// <summary>
/// A read-only stream over the original's bytes that throws once <paramref name="cancellationToken"/> is cancelled:
/// decoders and metadata readers pull their input through it in small pieces, so a deadline reaches them at the next
/// read even though they take no token themselves.
/// </summary>
public sealed class CancellableReadStream(byte[] bytes, CancellationToken cancellationToken) : MemoryStream(bytes, writable: false)
{
    public override int Read(byte[] buffer, int offset, int count)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return base.Read(buffer, offset, count);
    }

    public override int Read(Span<byte> buffer)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return base.Read(buffer);
    }

    public override int ReadByte()
    {
        cancellationToken.ThrowIfCancellationRequested();
        return base.ReadByte();
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken token)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return base.ReadAsync(buffer, offset, count, token);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken token = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return base.ReadAsync(buffer, token);
    }
}
