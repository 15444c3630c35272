namespace Ginx.Proxy.NginxConf;

/// <summary>An <c>upstream</c> block as Ginx will balance it: its servers and its balancing method.</summary>
/// <param name="Name">The upstream's name, which becomes the cluster's id.</param>
/// <param name="Servers">Its servers, in order.</param>
/// <param name="Policy">The Ginx or YARP load-balancing policy that does what the method does.</param>
/// <param name="HashKey">What <c>ConsistentHash</c> hashes (Ginx's <c>HashKey</c> metadata), for <c>hash</c> and <c>ip_hash</c>.</param>
/// <param name="Source">Where the block starts.</param>
internal sealed record UpstreamBlock(string Name, IReadOnlyList<UpstreamServer> Servers, string Policy, string? HashKey, NginxSource Source);
