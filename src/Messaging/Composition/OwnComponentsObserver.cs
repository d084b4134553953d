using MassTransit;

namespace Shop.Messaging.Composition;

/// <summary>Passes on the configuration of the consumers and sagas one service owns, and nobody else's.</summary>
sealed class OwnComponentsObserver(Func<Type, bool> owns, IConsumerConfigurationObserver consumers, ISagaConfigurationObserver sagas)
    : IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator) where TConsumer : class
    {
        if (owns(typeof(TConsumer)))
            consumers.ConsumerConfigured(configurator);
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class where TMessage : class
    {
        if (owns(typeof(TConsumer)))
            consumers.ConsumerMessageConfigured(configurator);
    }

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator) where TSaga : class, ISaga
    {
        if (owns(typeof(TSaga)))
            sagas.SagaConfigured(configurator);
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
        if (owns(typeof(TInstance)))
            sagas.StateMachineSagaConfigured(configurator, stateMachine);
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga where TMessage : class
    {
        if (owns(typeof(TSaga)))
            sagas.SagaMessageConfigured(configurator);
    }
}
