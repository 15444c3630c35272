using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Ginx.Proxy.Admin;

/// <summary>Rejects admin URLs Kestrel could not listen on, naming the key and the value.</summary>
internal sealed class GinxAdminOptionsValidator : IValidateOptions<GinxAdminOptions>
{
    private const string Key = GinxAdminOptions.SectionName + ":" + nameof(GinxAdminOptions.Urls);

    public ValidateOptionsResult Validate(string? name, GinxAdminOptions options)
    {
        var urls = ListenerAddresses.Split(options.Urls);
        if (urls.Count == 0)
        {
            return ValidateOptionsResult.Fail($"{Key} = '{options.Urls}': give at least one URL, such as http://127.0.0.1:9901.");
        }

        var problems = new List<string>();
        foreach (var url in urls)
        {
            if (!ListenerAddresses.TryParse(url, out var address) || address.IsUnixPipe
                || address.Scheme is not ("http" or "https") || address.Port is < 0 or > 65535)
            {
                problems.Add($"{Key} = '{options.Urls}': '{url}' is not an http:// or https:// URL with a host and port.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
