using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.Composition;

namespace Shop.Messaging;

/// <summary>
/// The seam through which infrastructure projects (the durable store, further transports) plug into
/// <see cref="ShopMessagingServiceCollectionExtensions.AddShopMessaging"/> without the bus set-up knowing them.
/// </summary>
public sealed class ShopMessagingBuilder
{
    readonly Dictionary<string, Action<IBusRegistrationConfigurator, Action<IBusRegistrationContext, IBusFactoryConfigurator>>> _transports =
        new(StringComparer.OrdinalIgnoreCase);

    readonly Action<IBusRegistrationConfigurator> _configure;

    /// <summary>Null for a service alone on its bus, the usual case; set in a host that composes several (Composition/).</summary>
    readonly ShopMessagingComposition? _composition;

    readonly bool _firstOnItsBus;

    internal ShopMessagingBuilder(IServiceCollection services, IConfiguration configuration, MessagingOptions options,
        Action<IBusRegistrationConfigurator> configure, ShopMessagingComposition? composition)
    {
        Services = services;
        Configuration = configuration;
        Options = options;
        _configure = configure;
        _composition = composition;
        _firstOnItsBus = composition is null || composition.Services.Count == 0;
    }

    public IServiceCollection Services { get; }
    public IConfiguration Configuration { get; }
    public MessagingOptions Options { get; }

    internal ISagaRepositoryRegistrationProvider? SagaRepository { get; private set; }

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

    /// <summary>Where this service's sagas keep their instances; other services' sagas are not affected.</summary>
    public ShopMessagingBuilder UseSagaRepository(ISagaRepositoryRegistrationProvider provider)
    {
        SagaRepository = provider;
        return this;
    }

    /// <summary>
    /// Registers what belongs to the bus as a whole rather than to this service's consumers: publishing from a scope
    /// outside any consumer (an HTTP request), the scheduler of redeliveries. A service alone on its bus always has
    /// them; in a host that composes several services onto one bus, only the first does.
    /// </summary>
    public ShopMessagingBuilder ForTheWholeBus(Action<ShopMessagingBuilder> configure)
    {
        if (_firstOnItsBus)
            configure(this);
        return this;
    }

    /// <summary>
    /// <paramref name="name"/>, made unique per service where several share the host (suffixed with
    /// <paramref name="qualifier"/>, such as the service's DbContext), so that each service's check keeps its own entry.
    /// </summary>
    public string HealthCheckName(string name, string qualifier) => _composition is null ? name : $"{name}-{qualifier}";

    /// <summary>
    /// Connects <paramref name="observer"/> to <paramref name="endpoint"/> so that it sees only this service's consumers
    /// and sagas: endpoint concerns such as the inbox and outbox stay with the service they belong to.
    /// </summary>
    public void ConnectOwnObserver<TObserver>(IReceiveEndpointConfigurator endpoint, TObserver observer)
        where TObserver : IConsumerConfigurationObserver, ISagaConfigurationObserver
    {
        if (_composition is not null)
        {
            _composition.ConnectOwnObserver(this, endpoint, observer);
            return;
        }

        endpoint.ConnectConsumerConfigurationObserver(observer);
        endpoint.ConnectSagaConfigurationObserver(observer);
    }

    internal void Register(IBusRegistrationConfigurator configurator)
    {
        foreach (var callback in RegistrationCallbacks)
            callback(configurator);
        _configure(configurator);
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
