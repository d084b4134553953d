using Shop.Identity;
using Shop.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Shop.Faults;

/// <summary>
/// One run: the four services as processes on the suite's own servers, steady load, one fault after another (each
/// followed by a probe that measures the time until an order — or an image — goes all the way through again), then
/// the counts.
/// </summary>
public sealed class FaultRun(FaultOptions options, string repository, string outputDirectory)
{
    const int ApiPort = 5180;

    /// <summary>How long a killed service stays down: long enough for work to pile up for it. It shapes the fault; nothing waits on it.</summary>
    static readonly TimeSpan KillDowntime = TimeSpan.FromSeconds(3);
    static readonly string[] Databases = ["orders", "payments", "notifications", "images"];

    readonly string _runId = DateTime.UtcNow.ToString("MMddHHmmss");
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    // The API trusts this run's key only; customers get a token each, uploads go as a catalog admin.
    readonly string _signingKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    LocalTokenIssuer Tokens => new(_signingKey);
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly ConcurrentDictionary<Guid, string> _orders = new();      // accepted order id -> card token
    readonly ConcurrentBag<string> _ordersNotAccepted = [];
    readonly ConcurrentDictionary<Guid, bool> _images = new();         // accepted image ids
    readonly ConcurrentBag<string> _imagesNotAccepted = [];
    readonly List<FaultRecord> _faults = [];
    readonly List<string> _poisonMarkers = [];
    readonly byte[] _image = SampleImage();
    FaultServices _services = null!;
    IFaultTransport _transport = null!;
    List<ServiceProcess> _processes = [];

    string Database(string name) => $"{_services.Postgres};Database=faults_{name};Timeout=15;Command Timeout=60";

    void Log(string message) => Console.WriteLine($"[faults {_clock.Elapsed:mm\\:ss}] {message}");

    public async Task<FaultReport> Run()
    {
        _services = new FaultServices(repository);
        Log($"starting the suite's own PostgreSQL and {(options.IsSqs ? "fauxqs" : "RabbitMQ")} (scripts/fault-services.sh)");
        await _services.Start(options.Transport);
        _transport = options.IsSqs ? new SqsFaultTransport(_services, _runId) : new RabbitMqFaultTransport(_services, _runId);
        await _transport.Prepare();
        try
        {
            return await RunOnServers();
        }
        finally
        {
            foreach (var process in _processes)
                process.Stop();
            if (!options.KeepServices)
                await _services.Stop();
        }
    }

    async Task<FaultReport> RunOnServers()
    {
        await CreateDatabases();
        _processes = StartServices();
        // Ctrl-C or a SIGTERM to the suite takes its services down with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _processes.ForEach(p => p.Stop());
        Console.CancelKeyPress += (_, _) => _processes.ForEach(p => p.Stop());
        foreach (var process in _processes)
            await process.WaitReady(_http, TimeSpan.FromMinutes(3));
        Log("all four services ready");
        await InstallDuplicator();

        using var stop = new CancellationTokenSource();
        var supervisor = Supervise(stop.Token);

        var loadPeriod = TimeSpan.FromSeconds(options.Orders / options.Rate);
        var loadStarted = _clock.Elapsed;
        var orders = DriveOrders();
        var images = DriveImages(loadPeriod);
        await Faults(loadPeriod);
        await Task.WhenAll(orders, images);
        Log($"load done: {_orders.Count} orders and {_images.Count} images accepted in {(_clock.Elapsed - loadStarted).TotalSeconds:F0} s");

        var settled = await WaitUntilSettled(options.SettleTimeout);
        Log(settled ? "every order and image has ended; outboxes and queues empty" : "not everything has ended");
        stop.Cancel();
        await supervisor;
        return await Count(loadPeriod);
    }

    async Task CreateDatabases()
    {
        await using var connection = new NpgsqlConnection($"{_services.Postgres};Database=postgres");
        await connection.OpenAsync();
        foreach (var name in Databases)
        {
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS faults_{name} WITH (FORCE)", connection).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"CREATE DATABASE faults_{name}", connection).ExecuteNonQueryAsync();
        }
    }

    List<ServiceProcess> StartServices()
    {
        // The services were built with this program (project references), in the same configuration.
        var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var blobs = Path.Combine(outputDirectory, "blobs");
        Directory.CreateDirectory(blobs);
        var common = new Dictionary<string, string>(_transport.ServiceSettings())
        {
            ["BlobStorage:Provider"] = "Disk",
            ["BlobStorage:Disk:Root"] = blobs,
            // Time is compressed: redeliveries after seconds rather than the production 30 s / 5 min / 30 min, so a
            // poison command reaches its error queue within the run.
            ["Messaging:Retry:RedeliveryIntervals:0"] = "00:00:05",
            ["Messaging:Retry:RedeliveryIntervals:1"] = "00:00:15",
            ["Messaging:Retry:RedeliveryIntervals:2"] = "00:00:30",
            ["Messaging:DurableStore:PollInterval"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Shop"] = "Information",
        };
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test", ["AWS_REGION"] = "us-east-1",
            ["DOTNET_gcServer"] = "0",
        };

        var api = new (string, string)[]
        {
            ("Auth:LocalIssuer:SigningKey", _signingKey),
            ("RateLimiting:Orders:PermitLimit", "1000000"),
            ("RateLimiting:Uploads:PermitLimit", "1000000"),
        };

        ServiceProcess Service(string name, int port, string database, params (string Key, string Value)[] extra)
        {
            var settings = new Dictionary<string, string>(common) { [$"ConnectionStrings:{database}"] = Database(database.ToLowerInvariant()) };
            foreach (var (key, value) in extra)
                settings[key] = value;
            var dll = Path.Combine(repository, "src", name, "bin", configuration, "net10.0", $"Shop.{name}.dll");
            if (!File.Exists(dll))
                throw new FileNotFoundException($"{dll} is missing: build tests/Faults (it builds the services) with -c {configuration}");
            var process = new ServiceProcess(name, dll, port, settings.Select(s => $"--{s.Key}={s.Value}").ToList(), environment,
                Path.Combine(outputDirectory, $"{name}.log"));
            process.Start();
            return process;
        }

        return
        [
            Service("Orders.Api", ApiPort, "Orders", api),
            Service("Payments.Worker", ApiPort + 1, "Payments", ("Payments:Gateway:LedgerPath", LedgerPath)),
            Service("Notifications.Worker", ApiPort + 2, "Notifications"),
            Service("Images.Worker", ApiPort + 3, "Images"),
        ];
    }

    string LedgerPath => Path.Combine(outputDirectory, "gateway-ledger.jsonl");

    /// <summary>
    /// A share of the rows written to each service's outbox get a twin with its own id: the message leaves twice, as
    /// a duplicate delivery from the broker would arrive. Every twin is counted in <c>faults_twins</c>.
    /// </summary>
    async Task InstallDuplicator()
    {
        var sql = $"""
            CREATE TABLE IF NOT EXISTS faults_twins (outbox_id uuid PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
            CREATE OR REPLACE FUNCTION faults_duplicate_outbox_message() RETURNS trigger AS $$
            DECLARE twin uuid := gen_random_uuid();
            BEGIN
                IF pg_trigger_depth() > 1 OR random() >= {options.DuplicateShare.ToString(System.Globalization.CultureInfo.InvariantCulture)} THEN RETURN NULL; END IF;
                NEW.outbox_id := twin;
                IF NEW.schedule_token_id IS NULL THEN NEW.due_time := NEW.created; END IF;
                INSERT INTO outbox_message SELECT (NEW).*;
                INSERT INTO faults_twins (outbox_id) VALUES (twin);
                RETURN NULL;
            END $$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS faults_duplicate_outbox_message ON outbox_message;
            CREATE TRIGGER faults_duplicate_outbox_message AFTER INSERT ON outbox_message
                FOR EACH ROW EXECUTE FUNCTION faults_duplicate_outbox_message();
            """;
        foreach (var name in Databases)
            await Execute(Database(name), sql);
        Log($"duplicating {options.DuplicateShare:P0} of outbox messages in every service's database");
    }

    static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    static async Task<List<T>> Query<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
            rows.Add(read(reader));
        return rows;
    }

    /// <summary>Restarts a service as soon as it dies on its own; woken by the death itself, not by polling.</summary>
    async Task Supervise(CancellationToken stop)
    {
        using var deaths = new SemaphoreSlim(0);
        void Died() => deaths.Release();
        _processes.ForEach(p => p.DiedOnItsOwn += Died);
        try
        {
            while (true)
            {
                try { await deaths.WaitAsync(stop); }
                catch (OperationCanceledException) { return; }

                foreach (var process in _processes)
                {
                    if (process.RestartIfDied())
                        Log($"{process.Name} died on its own: restarted ({process.UnexpectedExits[^1]})");
                }
            }
        }
        finally
        {
            _processes.ForEach(p => p.DiedOnItsOwn -= Died);
        }
    }

    /// <summary>
    /// The load's timetable: the next order, image or fault goes out when its turn comes. The pace is a parameter of
    /// the run (<c>--rate</c>), not a wait for something to happen.
    /// </summary>
    async Task UntilTurn(TimeSpan turn)
    {
        if (turn > _clock.Elapsed)
            await Task.Delay(turn - _clock.Elapsed);
    }

    // ------------------------------------------------------------------------------------------------ load

    static readonly (string Sku, int OnHand)[] Stock =
        [("STICK-001", 500), ("PEN-001", 300), ("NOTE-001", 150), ("MUG-001", 120), ("SOCK-001", 100), ("BAG-001", 90), ("TEE-001", 80)];

    /// <summary>80 % good cards, 10 % declined, 10 % flaky (fail twice at the gateway, then approved).</summary>
    static string CardFor(int i) => (i % 10) switch { 3 => "tok_declined", 7 => "tok_flaky", _ => "tok_visa" };

    // One unit of a product picked in proportion to its stock, so 1,000 orders fit in what the catalog holds.
    static string SkuFor(int i)
    {
        var total = Stock.Sum(s => s.OnHand);
        var slot = (int)((long)i * 7919 % total);
        foreach (var (sku, onHand) in Stock)
        {
            if (slot < onHand)
                return sku;
            slot -= onHand;
        }

        return Stock[0].Sku;
    }

    async Task DriveOrders()
    {
        var pending = new List<Task>();
        var interval = TimeSpan.FromSeconds(1 / options.Rate);
        var start = _clock.Elapsed;
        for (var i = 0; i < options.Orders; i++)
        {
            await UntilTurn(start + interval * i);
            var n = i;
            pending.Add(Task.Run(async () =>
            {
                await PlaceOrder(CardFor(n), SkuFor(n), $"faults-{_runId}-{n}");
            }));
        }

        await Task.WhenAll(pending);
    }

    /// <summary>
    /// Posts until the API accepts (through restarts of the API, the broker and the database), always with the same
    /// Idempotency-Key, so a retry after a lost answer is the same order. Null if it was never accepted.
    /// </summary>
    async Task<Guid?> PlaceOrder(string card, string sku, string key)
    {
        // One body for every attempt: a retry after a lost answer is the same request, and the API answers a key
        // that comes back with a different body with 422.
        var body = new { items = new[] { new { sku, quantity = 1 } }, payment = new { cardToken = card } };
        var token = Tokens.Customer(Guid.NewGuid(), "buyer@example.com", TimeSpan.FromHours(2));
        var answer = await UntilAnswered(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{ApiPort}/orders")
            {
                Content = JsonContent.Create(body)
            };
            request.Headers.Add("Idempotency-Key", key);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return await _http.SendAsync(request);
        });

        switch (answer)
        {
            case Accepted(var id):
                _orders[id] = card;
                return id;
            case Refused(var reason):
                _ordersNotAccepted.Add($"{key}: {reason}");
                return null;
            default:
                _ordersNotAccepted.Add($"{key}: not accepted within 5 minutes");
                return null;
        }
    }

    abstract record Answer;
    sealed record Accepted(Guid Id) : Answer;
    sealed record Refused(string Reason) : Answer;
    sealed record NoAnswer : Answer;

    /// <summary>
    /// Sends until the API accepts or refuses for good (a 4xx other than 408/429), like a client riding out restarts
    /// of the API, the broker and the database; <see cref="NoAnswer"/> after five minutes.
    /// </summary>
    static async Task<Answer> UntilAnswered(Func<Task<HttpResponseMessage>> send)
    {
        Answer answer = new NoAnswer();
        try
        {
            await Eventually.Until(async () =>
            {
                try
                {
                    using var response = await send();
                    if (response.IsSuccessStatusCode)
                        answer = new Accepted((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                    else if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                        answer = new Refused($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException) { }

                return answer is not NoAnswer;
            }, "an answer from the API", TimeSpan.FromMinutes(5));
        }
        catch (TimeoutException) { }

        return answer;
    }

    async Task DriveImages(TimeSpan period)
    {
        var pending = new List<Task>();
        var start = _clock.Elapsed;
        var interval = period / Math.Max(1, options.Images);
        for (var i = 0; i < options.Images; i++)
        {
            await UntilTurn(start + interval * i);
            var n = i;
            pending.Add(Task.Run(async () =>
            {
                if (await UploadImage() is null)
                    _imagesNotAccepted.Add($"image {n}");
            }));
        }

        await Task.WhenAll(pending);
    }

    async Task<Guid?> UploadImage()
    {
        var answer = await UntilAnswered(async () =>
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(_image);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            form.Add(file, "file", "sample.png");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{ApiPort}/products/MUG-001/images") { Content = form };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Tokens.CatalogAdmin());
            return await _http.SendAsync(request);
        });

        switch (answer)
        {
            case Accepted(var id):
                _images[id] = true;
                return id;
            case Refused(var reason):
                _imagesNotAccepted.Add(reason);
                return null;
            default:
                return null;
        }
    }

    static byte[] SampleImage()
    {
        using var image = new Image<Rgba32>(320, 240);
        for (var y = 0; y < image.Height; y++)
        for (var x = 0; x < image.Width; x++)
            image[x, y] = new Rgba32((byte)x, (byte)y, (byte)(x ^ y));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    // ------------------------------------------------------------------------------------------------ faults

    async Task Faults(TimeSpan loadPeriod)
    {
        var steps = new List<(string Name, Func<Task> Inject, Func<Task<bool>> Probe)>();
        (string, Func<Task>, Func<Task<bool>>) Kill(string service)
        {
            var process = _processes.Single(p => p.Name == service);
            return ($"kill -9 {process.Name}", async () =>
            {
                process.Kill();
                await Task.Delay(KillDowntime);
                process.Start();
            }, process.Name == "Images.Worker" ? ProbeImage : ProbeOrder);
        }

        // The slowest recoveries first, so every fault lands while orders still arrive.
        steps.Add((options.IsSqs ? "restart fauxqs" : "restart RabbitMQ", () => _services.RestartBroker(options.Transport), ProbeOrder));
        steps.Add(Kill("Payments.Worker"));
        steps.Add(("restart PostgreSQL (immediate stop)", () => _services.RestartPostgres(), ProbeOrder));
        steps.Add(Kill("Orders.Api"));
        steps.Add(($"{options.Poison} poison messages", PublishPoison, PoisonInErrorQueues));
        steps.Add(Kill("Notifications.Worker"));
        steps.Add(Kill("Images.Worker"));

        // On a fixed timetable across the load; a fault whose turn came while the previous one was still recovering
        // follows as soon as that one has.
        var spacing = loadPeriod / (steps.Count + 1);
        var start = _clock.Elapsed;
        var turn = 0;
        foreach (var (name, inject, probe) in steps)
        {
            await UntilTurn(start + spacing * ++turn);
            Log($"fault: {name}");
            var started = _clock.Elapsed;
            string? error = null;
            try { await inject(); }
            catch (Exception exception) { error = exception.Message; Log($"fault {name} failed: {exception.Message}"); }

            var injected = _clock.Elapsed;
            var recovered = error is null && await probe();
            var record = new FaultRecord(name, started.TotalSeconds, (injected - started).TotalSeconds,
                recovered ? (_clock.Elapsed - started).TotalSeconds : null, error);
            _faults.Add(record);
            Log(recovered ? $"recovered from {name} in {record.RecoverySeconds:F1} s" : $"NOT recovered from {name}");
        }
    }

    /// <summary>
    /// Recovered when a fresh order placed after the fault has gone all the way: ended, and its customer notified
    /// (the probe retries through the outage itself, like any client).
    /// </summary>
    async Task<bool> ProbeOrder()
    {
        var id = await PlaceOrder("tok_visa", "STICK-001", $"faults-{_runId}-probe-{Guid.NewGuid():N}");
        if (id is null)
            return false;
        return await WaitFor(async () => (await OrderStatus(id.Value)) is "Confirmed" or "Cancelled"
            && (await Query(Database("notifications"), $"SELECT count(*) FROM notifications WHERE order_id = '{id}'", r => r.GetInt64(0))).Single() > 0,
            TimeSpan.FromMinutes(5));
    }

    async Task<bool> ProbeImage()
    {
        var id = await UploadImage();
        if (id is null)
            return false;
        return await WaitFor(async () => (await Query(Database("orders"), $"SELECT status FROM images WHERE id = '{id}'", r => r.GetString(0)))
            .SingleOrDefault() is "Processed" or "PartiallyProcessed" or "Failed", TimeSpan.FromMinutes(5));
    }

    async Task<string?> OrderStatus(Guid id)
    {
        try
        {
            return (await Query(Database("orders"), $"SELECT status FROM orders WHERE id = '{id}'", r => r.GetString(0))).SingleOrDefault();
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException) { return null; }
    }

    /// <summary>True once <paramref name="condition"/> holds, riding out the outages the run causes; false after the timeout.</summary>
    static async Task<bool> WaitFor(Func<Task<bool>> condition, TimeSpan timeout)
    {
        try
        {
            await Eventually.Until(async () =>
            {
                try
                {
                    return await condition();
                }
                catch (Exception exception) when (exception is NpgsqlException or TimeoutException or HttpRequestException)
                {
                    return false;
                }
            }, "the condition", timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Straight into the services' queues, past every validation: bodies that are not JSON, an empty body, a command
    /// that breaks its contract (an amount of zero) and a message whose fields have the wrong types.
    /// </summary>
    async Task PublishPoison()
    {
        for (var i = 0; i < options.Poison; i++)
        {
            var marker = $"faults-poison-{_runId}-{i}";
            _poisonMarkers.Add(marker);
            var (queue, body) = (i % 4) switch
            {
                0 => ("process-payment", $"{{ this is not json {marker}"),
                1 => ("process-payment", Envelope("Shop.Contracts.Payments:ProcessPayment",
                    $$"""{"orderId":"{{Guid.NewGuid()}}","amount":0,"currency":"EUR","cardToken":"tok_{{marker}}"}""")),
                2 => ("reserve-stock", $"<xml>{marker}</xml>"),
                _ => ("refund-payment", Envelope("Shop.Contracts.Payments:RefundPayment", $$"""{"orderId":"{{marker}}","amount":"lots"}"""))
            };
            await _transport.Publish(queue, body, envelope: i % 2 == 1);
        }
    }

    static string Envelope(string type, string message) =>
        $$"""{"messageId":"{{Guid.NewGuid()}}","messageType":["urn:message:{{type}}"],"message":{{message}}}""";

    async Task<bool> PoisonInErrorQueues() =>
        await WaitFor(async () => PoisonMissing(await _transport.ErrorQueueMessages()).Count == 0, TimeSpan.FromMinutes(3));

    List<string> PoisonMissing(List<(string Queue, string Body)> errors) =>
        _poisonMarkers.Where(marker => !errors.Any(e => e.Body.Contains(marker, StringComparison.Ordinal))).ToList();

    // ------------------------------------------------------------------------------------------------ the end

    /// <summary>
    /// Until every order and image has ended — or nothing can change any more: no outbox holds a row (scheduled
    /// timeouts and redeliveries live there too), no queue but the error queues holds or hands out a message, for
    /// half a minute of checks. What is open then stays open; waiting longer would only pass time.
    /// </summary>
    async Task<bool> WaitUntilSettled(TimeSpan timeout)
    {
        var quietSince = (TimeSpan?)null;
        var ended = false;
        await WaitFor(async () =>
        {
            var open = await Query(Database("orders"), "SELECT count(*) FROM orders WHERE status NOT IN ('Confirmed', 'Cancelled')", r => r.GetInt64(0));
            var images = await Query(Database("orders"), "SELECT count(*) FROM images WHERE status NOT IN ('Processed', 'PartiallyProcessed', 'Failed')", r => r.GetInt64(0));
            var outbox = 0L;
            foreach (var name in Databases)
                outbox += (await Query(Database(name), "SELECT count(*) FROM outbox_message", r => r.GetInt64(0))).Single();
            if (outbox > 0 || await _transport.MessagesInFlight() > 0)
            {
                quietSince = null;
                return false;
            }

            ended = open.Single() == 0 && images.Single() == 0;
            quietSince ??= _clock.Elapsed;
            if (ended || _clock.Elapsed - quietSince < TimeSpan.FromSeconds(30))
                return ended;
            Log($"quiet for 30 s with {open.Single()} orders and {images.Single()} images still open: they will stay so");
            return true;
        }, timeout);
        return ended;
    }

    async Task<FaultReport> Count(TimeSpan loadPeriod)
    {
        var orders = (await Query(Database("orders"), "SELECT id, status, coalesce(cancellation_reason, '') FROM orders",
            r => (Id: r.GetGuid(0), Status: r.GetString(1), Reason: r.GetString(2)))).ToDictionary(o => o.Id);
        var lost = _orders.Keys.Where(id => !orders.ContainsKey(id)).ToList();
        var stuck = _orders.Keys.Where(id => orders.TryGetValue(id, out var o) && o.Status is not ("Confirmed" or "Cancelled")).ToList();
        var outcomes = _orders
            .Where(o => orders.ContainsKey(o.Key))
            .GroupBy(o => $"{o.Value} -> {orders[o.Key].Status}{(orders[o.Key].Reason.Length > 0 ? $" ({orders[o.Key].Reason})" : "")}")
            .ToDictionary(g => g.Key, g => g.Count());
        var declinedConfirmed = _orders.Count(o => o.Value == "tok_declined" && orders.TryGetValue(o.Key, out var r) && r.Status == "Confirmed");

        var ledger = File.Exists(LedgerPath)
            ? File.ReadAllLines(LedgerPath).Select(l => JsonDocument.Parse(l).RootElement)
                .Select(e => (Order: e.GetProperty("orderId").GetGuid(), Charge: e.GetProperty("charge").GetString()!)).ToList()
            : [];
        var doubleCharged = ledger.GroupBy(c => c.Order).Count(g => g.Select(c => c.Charge).Distinct().Count() > 1);
        var repeatedCalls = ledger.Count - ledger.Select(c => c.Order).Distinct().Count();
        var confirmedWithoutCharge = orders.Values.Count(o => o.Status == "Confirmed" && ledger.All(c => c.Order != o.Id));
        // A charge that completed after the saga had given up on it (payment timeout) must have been refunded.
        var chargedNotRefunded = (await Query(Database("payments"),
            "SELECT p.order_id FROM payments p WHERE p.status = 'Completed' AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.payment_id = p.id)",
            r => r.GetGuid(0))).Count(id => orders.TryGetValue(id, out var o) && o.Status == "Cancelled");
        var refunds = (await Query(Database("payments"), "SELECT count(*) FROM refunds", r => r.GetInt64(0))).Single();
        var paymentRowsTwice = (await Query(Database("payments"),
            "SELECT count(*) FROM (SELECT order_id FROM payments GROUP BY order_id HAVING count(*) > 1) d", r => r.GetInt64(0))).Single();

        var notifications = await Query(Database("notifications"), "SELECT order_id, kind FROM notifications", r => (Order: r.GetGuid(0), Kind: r.GetString(1)));
        var duplicateNotifications = notifications.GroupBy(n => n.Order).Sum(g => g.Count() - 1);
        var terminal = orders.Values.Where(o => o.Status is "Confirmed" or "Cancelled").Select(o => o.Id).ToHashSet();
        var missingNotifications = terminal.Count(id => notifications.All(n => n.Order != id));

        var errors = await _transport.ErrorQueueMessages();
        var poisonMissing = PoisonMissing(errors);
        var otherErrors = errors.Where(e => !_poisonMarkers.Any(m => e.Body.Contains(m, StringComparison.Ordinal)))
            .GroupBy(e => e.Queue).ToDictionary(g => g.Key, g => g.Count());

        var images = (await Query(Database("orders"), "SELECT id, status FROM images", r => (Id: r.GetGuid(0), Status: r.GetString(1)))).ToDictionary(i => i.Id);
        var twins = 0L;
        foreach (var name in Databases)
            twins += (await Query(Database(name), "SELECT count(*) FROM faults_twins", r => r.GetInt64(0))).Single();

        return new FaultReport
        {
            Transport = options.Transport,
            Command = "scripts/faults.sh " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            OrdersRequested = options.Orders,
            OrdersAccepted = _orders.Count,
            OrdersNotAccepted = _ordersNotAccepted.Count,
            OrdersNotAcceptedWhy = [.. _ordersNotAccepted],
            OrdersLost = lost.Count,
            OrdersStuck = stuck.Count,
            StuckStatuses = stuck.GroupBy(id => orders[id].Status).ToDictionary(g => g.Key, g => g.Count()),
            Outcomes = outcomes,
            DeclinedCardsConfirmed = declinedConfirmed,
            DoubleChargesAtGateway = doubleCharged,
            RepeatedApprovedChargeCalls = repeatedCalls,
            ConfirmedOrdersWithoutGatewayCharge = confirmedWithoutCharge,
            OrdersWithTwoPaymentRows = paymentRowsTwice,
            CancelledOrdersChargedNotRefunded = chargedNotRefunded,
            Refunds = refunds,
            DuplicateNotifications = duplicateNotifications,
            TerminalOrdersWithoutNotification = missingNotifications,
            PoisonPublished = _poisonMarkers.Count,
            PoisonNotInErrorQueue = poisonMissing.Count,
            OtherMessagesInErrorQueues = otherErrors,
            DuplicateDeliveriesInjected = twins,
            ImagesRequested = options.Images,
            ImagesAccepted = _images.Count,
            ImagesNotAccepted = _imagesNotAccepted.Count,
            ImageOutcomes = _images.Keys.GroupBy(id => images.TryGetValue(id, out var i) ? i.Status : "missing").ToDictionary(g => g.Key, g => g.Count()),
            ImagesStuck = _images.Keys.Count(id => !images.TryGetValue(id, out var i) || i.Status is not ("Processed" or "Failed")),
            UnexpectedProcessExits = _processes.ToDictionary(p => p.Name, p => p.UnexpectedExits.ToList()),
            Faults = _faults,
            LoadSeconds = loadPeriod.TotalSeconds,
            TotalSeconds = _clock.Elapsed.TotalSeconds,
        };
    }
}

public sealed record FaultRecord(string Fault, double AtSeconds, double InjectSeconds, double? RecoverySeconds, string? Error);
