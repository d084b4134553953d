using MassTransit;
using MassTransit.Configuration;

namespace Shop.Messaging.Composition;

/// <summary>
/// Each saga keeps its instances where the service that registered it says (its own database); a saga of a service
/// that names no repository gets MassTransit's default.
/// </summary>
sealed class OwnedSagaRepositoryProvider(ShopMessagingComposition composition) : ISagaRepositoryRegistrationProvider
{
    readonly ISagaRepositoryRegistrationProvider _default = new SagaRepositoryRegistrationProvider();

    public void Configure<TSaga>(ISagaRegistrationConfigurator<TSaga> configurator) where TSaga : class, ISaga =>
        (composition.Services.FirstOrDefault(service => composition.Owns(service, typeof(TSaga)))?.SagaRepository ?? _default).Configure(configurator);
}
