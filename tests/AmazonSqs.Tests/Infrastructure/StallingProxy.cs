using System.Net;
using System.Net.Sockets;

namespace Shop.AmazonSqs.Tests.Infrastructure;

/// <summary>
/// A TCP proxy in front of fauxqs that can stall: while stalled, requests are held (not refused), so a client sees a
/// slow SQS, not a broken one; when resumed, what was held goes through.
/// </summary>
public sealed class StallingProxy : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly Uri _target;
    readonly CancellationTokenSource _stop = new();
    readonly List<TcpClient> _clients = [];
    readonly Task _accepting;
    volatile TaskCompletionSource _resumed = Resumed();

    public StallingProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Endpoint { get; }

    public void Stall() => _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Resume() => _resumed.TrySetResult();

    static TaskCompletionSource Resumed()
    {
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        resumed.SetResult();
        return resumed;
    }

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var server = new TcpClient();
            lock (_clients)
                _clients.AddRange([client, server]);
            _ = RelayAsync(client, server);
        }
    }

    async Task RelayAsync(TcpClient client, TcpClient server)
    {
        try
        {
            await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
            await Task.WhenAny(Pump(client.GetStream(), server.GetStream(), holdWhileStalled: true),
                Pump(server.GetStream(), client.GetStream(), holdWhileStalled: false));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    async Task Pump(Stream from, Stream to, bool holdWhileStalled)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, _stop.Token);
            if (read == 0)
                return;
            if (holdWhileStalled)
                await _resumed.Task.WaitAsync(_stop.Token);
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Resume();
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_clients)
            foreach (var client in _clients)
                client.Dispose();
        _stop.Dispose();
    }
}
