using MassTransit;

namespace Shop.Messaging;

/// <summary>Passes on the configuration of the consumers and sagas one service owns, and nobody else's.</summary>
sealed class OwnComponentsObserver(ShopMessagingBuilder service, IConsumerConfigurationObserver consumers, ISagaConfigurationObserver sagas)
    : IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator) where TConsumer : class
    {
        if (service.Owns(typeof(TConsumer)))
            consumers.ConsumerConfigured(configurator);
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class where TMessage : class
    {
        if (service.Owns(typeof(TConsumer)))
            consumers.ConsumerMessageConfigured(configurator);
    }

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator) where TSaga : class, ISaga
    {
        if (service.Owns(typeof(TSaga)))
            sagas.SagaConfigured(configurator);
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
        if (service.Owns(typeof(TInstance)))
            sagas.StateMachineSagaConfigured(configurator, stateMachine);
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga where TMessage : class
    {
        if (service.Owns(typeof(TSaga)))
            sagas.SagaMessageConfigured(configurator);
    }
}
