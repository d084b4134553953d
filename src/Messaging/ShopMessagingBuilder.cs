using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Messaging;

/// <summary>
/// The seam through which infrastructure projects (the durable store, further transports) plug into
/// <see cref="ShopMessagingServiceCollectionExtensions.AddShopMessaging"/> without the bus set-up knowing them.
/// </summary>
public sealed class ShopMessagingBuilder
{
    readonly Dictionary<string, Action<IBusRegistrationConfigurator, Action<IBusRegistrationContext, IBusFactoryConfigurator>>> _transports =
        new(StringComparer.OrdinalIgnoreCase);

    internal ShopMessagingBuilder(IServiceCollection services, IConfiguration configuration, MessagingOptions options)
    {
        Services = services;
        Configuration = configuration;
        Options = options;
    }

    public IServiceCollection Services { get; }
    public IConfiguration Configuration { get; }
    public MessagingOptions Options { get; }

    internal List<Action<IBusRegistrationConfigurator>> RegistrationCallbacks { get; } = [];
    internal List<Action<IBusRegistrationContext, IBusFactoryConfigurator>> BusCallbacks { get; } = [];
    internal List<Action<IRegistrationContext, IReceiveEndpointConfigurator>> EndpointCallbacks { get; } = [];
    internal List<Action<IServiceCollection>> AfterBusCallbacks { get; } = [];

    /// <summary>Set when a durable scheduler is present; otherwise the transport's own delay is used.</summary>
    internal bool HasDurableScheduler { get; private set; }

    public ShopMessagingBuilder OnRegistration(Action<IBusRegistrationConfigurator> callback)
    {
        RegistrationCallbacks.Add(callback);
        return this;
    }

    /// <summary>Runs for every bus, whichever transport, before endpoints are configured.</summary>
    public ShopMessagingBuilder OnBus(Action<IBusRegistrationContext, IBusFactoryConfigurator> callback)
    {
        BusCallbacks.Add(callback);
        return this;
    }

    /// <summary>Runs for every receive endpoint, after the retry and redelivery policies are in place.</summary>
    public ShopMessagingBuilder OnEndpoint(Action<IRegistrationContext, IReceiveEndpointConfigurator> callback)
    {
        EndpointCallbacks.Add(callback);
        return this;
    }

    /// <summary>
    /// Registers services after the bus, e.g. hosted services that must start only once the bus has started
    /// (hosted services start in registration order, and the bus's own waits until its queues are bound).
    /// </summary>
    public ShopMessagingBuilder AfterBus(Action<IServiceCollection> callback)
    {
        AfterBusCallbacks.Add(callback);
        return this;
    }

    public ShopMessagingBuilder UseDurableScheduler(Action<IBusRegistrationContext, IBusFactoryConfigurator> configureScheduler)
    {
        HasDurableScheduler = true;
        return OnBus(configureScheduler);
    }

    /// <summary>
    /// Registers a transport under a name usable in <c>Messaging:Transport</c>. The callback selects the transport
    /// (<c>x.UsingXyz(...)</c>), calls the supplied configure action on its bus factory configurator and then
    /// <c>cfg.ConfigureEndpoints(context)</c>.
    /// </summary>
    public ShopMessagingBuilder AddTransport(string name,
        Action<IBusRegistrationConfigurator, Action<IBusRegistrationContext, IBusFactoryConfigurator>> useTransport)
    {
        _transports[name] = useTransport;
        return this;
    }

    internal bool TryGetTransport(string name,
        out Action<IBusRegistrationConfigurator, Action<IBusRegistrationContext, IBusFactoryConfigurator>> useTransport) =>
        _transports.TryGetValue(name, out useTransport!);
}
