using Microsoft.EntityFrameworkCore;
using Octavia.Api.Endpoints.ProviderDrivers;
using Octavia.Db;

namespace Octavia.Api.Endpoints.ProviderProfiles;

/// <summary>
/// What differs between flavor profiles and availability-zone profiles: names on the wire, upstream's
/// message wording, the entity's data property, and which objects use a profile.
/// </summary>
public sealed record ProfileKind<TProfile>(
    string Route,
    string Envelope,
    string ListKey,
    string LinksKey,
    string DataOption,
    string DataProperty,
    string NilIdResource,
    string NotFoundResource,
    ProviderMetadata.MetadataKind MetadataKind,
    Func<string, string, string, string, TProfile> Create,
    Func<TProfile, ProfileFields> Read,
    Action<TProfile, string?, string?, string?> Update,
    Func<OctaviaDbContext, string, CancellationToken, Task<bool>> InUseAsync)
    where TProfile : class;

/// <summary>The four attributes every profile has.</summary>
public readonly record struct ProfileFields(string Id, string Name, string ProviderName, string Data);
