namespace Octavia.Controller.Engine;

/// <summary>
/// One step of a flow. <see cref="ExecuteAsync"/> must be safe to run again after a crash (a resumed
/// flow repeats the task it was in); <see cref="RevertAsync"/> undoes it, or sets the error state that
/// the task guards, when a later task fails.
/// </summary>
public interface IFlowTask
{
    string Name { get; }

    Task ExecuteAsync(FlowContext context, CancellationToken cancellationToken);

    Task RevertAsync(FlowContext context, CancellationToken cancellationToken);
}
