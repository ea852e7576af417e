using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Jobs;
using Octavia.Db;

namespace Octavia.Controller.Engine;

/// <summary>What a running task can reach: the flow's typed state, services, and a database unit of work.</summary>
public sealed class FlowContext(FlowState state, IServiceProvider services, TimeProvider time)
{
    public FlowState State { get; } = state;

    public IServiceProvider Services { get; } = services;

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Runs <paramref name="work"/> on a fresh context, in one transaction, and saves its changes.</summary>
    public async Task DbAsync(Func<OctaviaDbContext, Task> work, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await work(db);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<T> DbAsync<T>(Func<OctaviaDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        T result = default!;
        await DbAsync(async db => { result = await work(db); }, cancellationToken);
        return result;
    }
}
