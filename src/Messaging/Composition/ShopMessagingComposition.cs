using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Messaging.Composition;

/// <summary>
/// The services <c>ComposeShopMessaging</c> gathers onto one bus. It sits in the service collection while open, so
/// that each service's own <c>AddShopMessaging</c> call finds it and joins instead of registering a bus of its own.
/// </summary>
sealed class ShopMessagingComposition
{
    readonly List<ShopMessagingBuilder> _services = [];
    readonly Dictionary<ShopMessagingBuilder, HashSet<Type>> _ownedTypes = [];
    bool _closed;

    public IReadOnlyList<ShopMessagingBuilder> Services => _services;

    public void Add(ShopMessagingBuilder service) => _services.Add(service);

    public void Close() => _closed = true;

    public static ShopMessagingComposition? Find(IServiceCollection services) =>
        services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(ShopMessagingComposition))?.ImplementationInstance
            is ShopMessagingComposition { _closed: false } open
            ? open
            : null;

    /// <summary>Whether a consumer or saga (instance) type is the service's: registered by its own registration callback.</summary>
    public bool Owns(ShopMessagingBuilder service, Type consumerOrSagaType) =>
        _ownedTypes.TryGetValue(service, out var owned) && owned.Contains(consumerOrSagaType);

    /// <summary>Runs every service's registrations, remembering what each added; each saga is stored where its service says.</summary>
    public void Register(IBusRegistrationConfigurator configurator)
    {
        foreach (var service in _services)
        {
            var before = RegisteredTypes(configurator);
            service.Register(configurator);
            _ownedTypes[service] = RegisteredTypes(configurator).Except(before).ToHashSet();
        }

        if (_services.Any(service => service.SagaRepository is not null))
            configurator.SetSagaRepositoryProvider(new OwnedSagaRepositoryProvider(this));
    }

    /// <summary>Connects <paramref name="observer"/> so that it sees the consumers and sagas of <paramref name="service"/> only.</summary>
    public void ConnectOwnObserver<TObserver>(ShopMessagingBuilder service, IReceiveEndpointConfigurator endpoint, TObserver observer)
        where TObserver : IConsumerConfigurationObserver, ISagaConfigurationObserver
    {
        var own = new OwnComponentsObserver(type => Owns(service, type), observer, observer);
        endpoint.ConnectConsumerConfigurationObserver(own);
        endpoint.ConnectSagaConfigurationObserver(own);
    }

    static HashSet<Type> RegisteredTypes(IBusRegistrationConfigurator configurator) =>
        configurator.Registrar.GetRegistrations<IConsumerRegistration>().Select(registration => registration.Type)
            .Concat(configurator.Registrar.GetRegistrations<ISagaRegistration>().Select(registration => registration.Type))
            .ToHashSet();
}
