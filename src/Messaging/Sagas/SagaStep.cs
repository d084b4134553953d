using MassTransit;

namespace Shop.Messaging.Sagas;

/// <summary>
/// A step of a saga that does its work and then lets the rest of the event's behaviour run, whatever event the saga is
/// handling. A subclass says what the step does in <see cref="Run"/> and gets what it needs through its constructor;
/// the machine plugs it in with <c>.Activity(x =&gt; x.OfType&lt;TStep&gt;())</c> or <c>OfInstanceType</c>.
/// </summary>
/// <param name="name">What the bus's probe (its diagnostic description) calls the step.</param>
public abstract class SagaStep<TSaga>(string name) : IStateMachineActivity<TSaga>
    where TSaga : class, SagaStateMachineInstance
{
    protected abstract Task Run(BehaviorContext<TSaga> context);

    public async Task Execute(BehaviorContext<TSaga> context, IBehavior<TSaga> next)
    {
        await Run(context);
        await next.Execute(context);
    }

    public async Task Execute<T>(BehaviorContext<TSaga, T> context, IBehavior<TSaga, T> next) where T : class
    {
        await Run(context);
        await next.Execute(context);
    }

    // A step reached by an earlier step's exception has not run, so it has nothing to undo: the fault goes on to the
    // behaviour's Catch, or out to fail the message.
    public Task Faulted<TException>(BehaviorExceptionContext<TSaga, TException> context, IBehavior<TSaga> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<T, TException>(BehaviorExceptionContext<TSaga, T, TException> context, IBehavior<TSaga, T> next)
        where T : class where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(name);

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}

/// <summary>
/// A step of a saga that handles one message type (it reads <see cref="BehaviorContext{TSaga, TMessage}.Message"/>):
/// <see cref="SagaStep{TSaga}"/>, for the events that carry a <typeparamref name="TMessage"/>.
/// </summary>
/// <param name="name">What the bus's probe calls the step.</param>
public abstract class SagaStep<TSaga, TMessage>(string name) : IStateMachineActivity<TSaga, TMessage>
    where TSaga : class, SagaStateMachineInstance
    where TMessage : class
{
    protected abstract Task Run(BehaviorContext<TSaga, TMessage> context);

    public async Task Execute(BehaviorContext<TSaga, TMessage> context, IBehavior<TSaga, TMessage> next)
    {
        await Run(context);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<TSaga, TMessage, TException> context, IBehavior<TSaga, TMessage> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(name);

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
