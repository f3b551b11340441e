using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>The views and type extensions refer to types and properties that exist, and never show a secret.</summary>
    public class FormatViewTests
    {
        /// <summary>The QlikActivity output types the views are written for, whether or not a cmdlet declares them yet.</summary>
        public static readonly string[] OutputTypes =
        {
            "QlikActivity.Core.Qrs.QlikSenseConnection", "QlikActivity.Core.Activity.UserActivity", "QlikActivity.Core.Activity.ActivityBucketResult",
            "QlikActivity.Core.Activity.ActivityBucketSummary", "QlikActivity.Core.UserEvent", "QlikActivity.Core.Events.SentUserEvent", "QlikActivity.Core.Events.ListenerStatistics",
            "QlikActivity.Core.Destinations.DestinationStatistics", "QlikActivity.Core.Destinations.Mqtt.MqttDestination", "QlikActivity.Core.Destinations.InfluxDb.InfluxDbDestination",
            "QlikActivity.Core.Destinations.NewRelic.NewRelicDestination", "QlikActivity.Core.Destinations.Webhooks.WebhookDestination",
        };

        private static readonly Regex SecretName = new Regex("Password|Jwt|Token|ApiKey|Secret|InsertKey|LicenseKey|PrivateKey|Passphrase|WebhookUrl|WebhookUri", RegexOptions.IgnoreCase);

        /// <summary>A webhook's URL is its credential (Slack, Teams): on a webhook type, Url/Uri count as secrets too.</summary>
        private static bool IsSecret(string typeName, string propertyName) =>
            SecretName.IsMatch(propertyName)
            || (typeName.EndsWith("WebhookDestination", StringComparison.Ordinal) && Regex.IsMatch(propertyName, "^(Url|Uri|Address|Endpoint)$", RegexOptions.IgnoreCase));

        internal sealed record Column(string View, string TypeName, string? Property, string? Script);

        internal static IReadOnlyList<(string View, string TypeName, List<Column> Columns)> Views()
        {
            var doc = Repository.LoadXml(Repository.FormatPath);
            return doc.Descendants("View").Select(view =>
            {
                string name = (string)view.Element("Name")!;
                string typeName = (string)view.Element("ViewSelectedBy")!.Element("TypeName")!;
                var columns = view.Descendants("TableColumnItem")
                    .Select(item => new Column(name, typeName, (string?)item.Element("PropertyName"), (string?)item.Element("ScriptBlock")))
                    .ToList();
                return (name, typeName, columns);
            }).ToList();
        }

        /// <summary>Public types of the module and Core, by full name.</summary>
        internal static Type? FindType(string fullName) =>
            Repository.ModuleAssembly.GetType(fullName) ?? typeof(QlikActivity.Core.IOperationHost).Assembly.GetType(fullName);

        [Fact]
        public void Every_QlikActivity_output_type_of_every_cmdlet_has_a_table_view()
        {
            var viewed = Views().Select(v => v.TypeName).ToHashSet(StringComparer.Ordinal);
            var missing = ModuleCmdletTests.Implemented
                .SelectMany(c => c.OutputTypes.Select(o => (Cmdlet: c.Name, o.TypeName)))
                .Where(o => o.TypeName.StartsWith("QlikActivity.", StringComparison.Ordinal) && !viewed.Contains(o.TypeName))
                .Select(o => $"{o.Cmdlet} outputs {o.TypeName}")
                .ToList();
            Assert.True(missing.Count == 0, "No format view for: " + string.Join("; ", missing));
        }

        [Fact]
        public void The_format_file_has_a_table_view_for_each_output_type_in_the_design()
        {
            var views = Views();
            foreach (var typeName in OutputTypes)
            {
                var view = views.SingleOrDefault(v => v.TypeName == typeName);
                Assert.True(view.Columns != null && view.Columns.Count > 0, $"No table view for {typeName}.");
            }

            Assert.Equal(views.Count, views.Select(v => v.View).Distinct().Count());
        }

        [Fact]
        public void Views_select_types_that_exist_by_their_full_name()
        {
            var missing = new List<string>();
            foreach (var view in Views())
            {
                var type = FindType(view.TypeName);
                if (type == null)
                {
                    missing.Add(view.TypeName);
                    continue;
                }

                Assert.Equal(view.TypeName, type.FullName);
                Assert.True(type.IsPublic, $"{type.FullName} must be public for PowerShell to format it.");
            }

            Assert.True(missing.Count == 0, "The format file has views for types the build does not contain: " + string.Join(", ", missing));
        }

        [Fact]
        public void Every_column_names_a_property_of_its_type()
        {
            var problems = new List<string>();
            foreach (var view in Views())
            {
                var type = FindType(view.TypeName);
                if (type == null)
                {
                    continue;
                }

                foreach (var column in view.Columns)
                {
                    var names = column.Property != null
                        ? new[] { column.Property }
                        : Regex.Matches(column.Script ?? "", @"\$_\.(\w+)").Select(m => m.Groups[1].Value).ToArray();
                    Assert.NotEmpty(names);
                    problems.AddRange(names.Where(n => type.GetProperty(n, BindingFlags.Public | BindingFlags.Instance) == null)
                        .Select(n => $"{view.View}: {type.FullName} has no property {n}"));
                }
            }

            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void No_column_shows_a_secret()
        {
            foreach (var column in Views().SelectMany(v => v.Columns))
            {
                var names = column.Property != null
                    ? new[] { column.Property }
                    : Regex.Matches(column.Script ?? "", @"\$_\.(\w+)").Select(m => m.Groups[1].Value).ToArray();
                Assert.False(names.Any(n => IsSecret(column.TypeName, n)), $"{column.View} shows '{column.Property ?? column.Script}', which may hold a secret.");
            }
        }

        [Fact]
        public void Output_types_have_no_secret_properties_to_show()
        {
            foreach (var typeName in OutputTypes)
            {
                var type = FindType(typeName);
                if (type == null)
                {
                    continue;
                }

                var secrets = type.GetProperties()
                    .Where(p => IsSecret(typeName, p.Name) && (p.PropertyType == typeof(string) || p.PropertyType == typeof(Uri)))
                    .Select(p => p.Name).ToList();
                Assert.True(secrets.Count == 0, $"{typeName} exposes {string.Join(", ", secrets)} as plain text.");
            }
        }

        [Fact]
        public void Type_extensions_refer_to_existing_properties()
        {
            var doc = Repository.LoadXml(Repository.TypesPath);
            Assert.Equal("Types", doc.Root!.Name.LocalName);
            foreach (var type in doc.Root.Elements("Type"))
            {
                string typeName = (string)type.Element("Name")!;
                Assert.Contains(typeName, OutputTypes);
                var clr = FindType(typeName);
                if (clr == null)
                {
                    continue;
                }

                foreach (var name in type.Descendants("ReferencedProperties").Elements("Name").Select(e => (string)e))
                {
                    Assert.True(clr.GetProperty(name) != null, $"{typeName} has no property {name} (types.ps1xml).");
                }
            }
        }
    }
}
