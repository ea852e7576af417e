using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Octavia.Core.Jobs;
using Octavia.Core.Model;

namespace Octavia.Db;

/// <summary>
/// The control plane's database. One model, two providers: each provider has its own subclass only so
/// that its migrations live apart (Migrations/Sqlite, Migrations/Postgres).
/// </summary>
public abstract class OctaviaDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<LoadBalancer> LoadBalancers => Set<LoadBalancer>();
    public DbSet<Listener> Listeners => Set<Listener>();
    public DbSet<Pool> Pools => Set<Pool>();
    public DbSet<Member> Members => Set<Member>();
    public DbSet<HealthMonitor> HealthMonitors => Set<HealthMonitor>();
    public DbSet<L7Policy> L7Policies => Set<L7Policy>();
    public DbSet<L7Rule> L7Rules => Set<L7Rule>();
    public DbSet<Quota> Quotas => Set<Quota>();
    public DbSet<Flavor> Flavors => Set<Flavor>();
    public DbSet<FlavorProfile> FlavorProfiles => Set<FlavorProfile>();
    public DbSet<AvailabilityZone> AvailabilityZones => Set<AvailabilityZone>();
    public DbSet<AvailabilityZoneProfile> AvailabilityZoneProfiles => Set<AvailabilityZoneProfile>();
    public DbSet<Amphora> Amphorae => Set<Amphora>();
    public DbSet<ListenerStatistics> ListenerStatistics => Set<ListenerStatistics>();
    public DbSet<AmphoraHealth> AmphoraHealth => Set<AmphoraHealth>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<Network> Networks => Set<Network>();
    public DbSet<Subnet> Subnets => Set<Subnet>();
    public DbSet<Port> Ports => Set<Port>();
    public DbSet<IpAllocation> IpAllocations => Set<IpAllocation>();
    public DbSet<FloatingIp> FloatingIps => Set<FloatingIp>();

    /// <summary>True when this context talks to PostgreSQL (row locks and LISTEN/NOTIFY are available).</summary>
    public bool IsPostgres => Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LoadBalancer>(b =>
        {
            b.ToTable("load_balancer");
            b.HasMany(x => x.Listeners).WithOne(x => x.LoadBalancer).HasForeignKey(x => x.LoadBalancerId).OnDelete(DeleteBehavior.Cascade);
            b.HasMany(x => x.Pools).WithOne(x => x.LoadBalancer).HasForeignKey(x => x.LoadBalancerId).OnDelete(DeleteBehavior.Cascade);
            // A JSON column read with System.Text.Json: EF's owned-JSON materializer compiled a delegate per
            // row, a tenth of the CPU of a list of 100 (docs/benchmarks.md).
            b.Property(x => x.AdditionalVips).HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => JsonSerializer.Deserialize<List<AdditionalVip>>(v, JsonSerializerOptions.Default) ?? new List<AdditionalVip>(),
                new ValueComparer<List<AdditionalVip>>(
                    (a, c) => JsonSerializer.Serialize(a, JsonSerializerOptions.Default) == JsonSerializer.Serialize(c, JsonSerializerOptions.Default),
                    v => v.Count,
                    v => v.Select(x => new AdditionalVip { SubnetId = x.SubnetId, IpAddress = x.IpAddress, PortId = x.PortId }).ToList()))
                .HasColumnName("additional_vips");
            b.HasIndex(x => x.ProjectId);
            b.HasIndex(x => x.ProvisioningStatus);

            // Lists sort by (created_at, id) unless told otherwise: with this index a page is read in
            // order and the scan stops at the limit, instead of sorting the whole table per request.
            b.HasIndex(x => new { x.CreatedAt, x.Id });
        });
        modelBuilder.Entity<Listener>(b =>
        {
            b.ToTable("listener");
            b.HasMany(x => x.L7Policies).WithOne(x => x.Listener).HasForeignKey(x => x.ListenerId).OnDelete(DeleteBehavior.Cascade);
            b.Property(x => x.InsertHeaders).HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, JsonSerializerOptions.Default) ?? new(),
                new ValueComparer<Dictionary<string, string>>(
                    (a, c) => a!.Count == c!.Count && !a.Except(c).Any(),
                    v => v.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value)),
                    v => new Dictionary<string, string>(v)));
            b.HasIndex(x => x.ProjectId);
        });
        modelBuilder.Entity<Pool>(b =>
        {
            b.ToTable("pool");
            b.HasMany(x => x.Members).WithOne(x => x.Pool).HasForeignKey(x => x.PoolId).OnDelete(DeleteBehavior.Cascade);
            b.HasOne(x => x.HealthMonitor).WithOne(x => x.Pool).HasForeignKey<HealthMonitor>(x => x.PoolId).OnDelete(DeleteBehavior.Cascade);
            b.OwnsOne(x => x.SessionPersistence, o => o.ToJson("session_persistence"));
            b.HasIndex(x => x.ProjectId);
        });
        modelBuilder.Entity<Member>(b =>
        {
            b.ToTable("member");
            b.HasIndex(x => new { x.PoolId, x.Address, x.ProtocolPort }).IsUnique();
            b.HasIndex(x => x.ProjectId);
        });
        modelBuilder.Entity<HealthMonitor>(b =>
        {
            b.ToTable("health_monitor");
            b.HasIndex(x => x.PoolId).IsUnique();
        });
        modelBuilder.Entity<L7Policy>(b =>
        {
            b.ToTable("l7policy");
            b.HasMany(x => x.Rules).WithOne(x => x.L7Policy).HasForeignKey(x => x.L7PolicyId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<L7Rule>(b => b.ToTable("l7rule"));
        modelBuilder.Entity<Quota>(b =>
        {
            b.ToTable("quotas");
            b.HasKey(x => x.ProjectId);
        });
        modelBuilder.Entity<Flavor>(b =>
        {
            b.ToTable("flavor");
            b.HasIndex(x => x.Name).IsUnique();
        });
        modelBuilder.Entity<FlavorProfile>(b => b.ToTable("flavor_profile"));
        modelBuilder.Entity<AvailabilityZone>(b =>
        {
            b.ToTable("availability_zone");
            b.HasKey(x => x.Name);
        });
        modelBuilder.Entity<AvailabilityZoneProfile>(b => b.ToTable("availability_zone_profile"));
        modelBuilder.Entity<Amphora>(b =>
        {
            b.ToTable("amphora");
            b.HasIndex(x => x.LoadBalancerId);
        });
        modelBuilder.Entity<ListenerStatistics>(b =>
        {
            b.ToTable("listener_statistics");
            b.HasKey(x => new { x.ListenerId, x.AmphoraId });
        });
        modelBuilder.Entity<AmphoraHealth>(b =>
        {
            b.ToTable("amphora_health");
            b.HasKey(x => x.AmphoraId);
            b.HasIndex(x => new { x.Busy, x.LastUpdate });
        });
        modelBuilder.Entity<Job>(b =>
        {
            b.ToTable("jobs");
            b.HasIndex(x => new { x.Status, x.Id });
        });

        modelBuilder.Entity<Network>(b =>
        {
            b.ToTable("network");
            b.HasMany(x => x.Subnets).WithOne(x => x.Network).HasForeignKey(x => x.NetworkId).OnDelete(DeleteBehavior.Cascade);
            b.HasIndex(x => x.Name);
        });
        modelBuilder.Entity<Subnet>(b => b.ToTable("subnet"));
        modelBuilder.Entity<Port>(b =>
        {
            b.ToTable("port");
            b.HasMany(x => x.FixedIps).WithOne().HasForeignKey(x => x.PortId).OnDelete(DeleteBehavior.Cascade);
            b.HasOne<Network>().WithMany().HasForeignKey(x => x.NetworkId).OnDelete(DeleteBehavior.Cascade);
            b.HasIndex(x => x.DeviceId);
        });
        modelBuilder.Entity<IpAllocation>(b =>
        {
            b.ToTable("ip_allocation");
            // The primary key is what makes concurrent allocations safe: a second writer of the same
            // address fails on insert and picks another.
            b.HasKey(x => new { x.SubnetId, x.IpAddress });
            b.HasOne<Subnet>().WithMany().HasForeignKey(x => x.SubnetId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<FloatingIp>(b =>
        {
            b.ToTable("floatingip");
            b.HasOne<Network>().WithMany().HasForeignKey(x => x.FloatingNetworkId).OnDelete(DeleteBehavior.Cascade);
            b.HasOne<Port>().WithMany().HasForeignKey(x => x.FloatingPortId).OnDelete(DeleteBehavior.Cascade);
            // A deleted port leaves its floating IPs free, as in Neutron; the code clears the address and router with it.
            b.HasOne<Port>().WithMany().HasForeignKey(x => x.FixedPortId).OnDelete(DeleteBehavior.SetNull);
            // Neutron's rule and what settles two concurrent associations: one floating IP per fixed IP of a port.
            b.HasIndex(x => new { x.FixedPortId, x.FixedIpAddress }).IsUnique();
            b.HasIndex(x => x.FloatingPortId).IsUnique();
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.IsOwned())
            {
                continue;
            }

            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])))
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}

/// <summary>The SQLite flavour of <see cref="OctaviaDbContext"/> (embedded default).</summary>
public sealed class SqliteOctaviaDbContext(DbContextOptions<SqliteOctaviaDbContext> options) : OctaviaDbContext(options);

/// <summary>The PostgreSQL flavour of <see cref="OctaviaDbContext"/> (shared control plane).</summary>
public sealed class PostgresOctaviaDbContext(DbContextOptions<PostgresOctaviaDbContext> options) : OctaviaDbContext(options);
