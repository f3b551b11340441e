using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using QlikActivity.Commands;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Tests.Buckets
{
    /// <summary>
    /// Set-QlikActivityBucket's metadata: what PowerShell binds, validates and confirms. Read with
    /// <see cref="CustomAttributeData"/>: the PowerShellStandard stand-in's attribute classes do not
    /// keep their values when instantiated.
    /// </summary>
    public class SetQlikActivityBucketCommandTests
    {
        private static readonly Type Command = typeof(SetQlikActivityBucketCommand);

        private static PropertyInfo Parameter(string name) =>
            Command.GetProperty(name) ?? throw new InvalidOperationException($"no parameter -{name}");

        private static IEnumerable<CustomAttributeData> Attributes<T>(MemberInfo member) =>
            member.GetCustomAttributesData().Where(a => a.AttributeType == typeof(T));

        private static object? Named(CustomAttributeData a, string name) =>
            a.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

        private static List<CustomAttributeData> Sets(string name) => Attributes<ParameterAttribute>(Parameter(name)).ToList();

        private static string? SetName(CustomAttributeData a) => Named(a, "ParameterSetName") as string;

        private static bool Flag(CustomAttributeData a, string name) => Named(a, name) is bool b && b;

        private static IEnumerable<object?> Arguments<T>(PropertyInfo p) =>
            Attributes<T>(p).SelectMany(a => a.ConstructorArguments).SelectMany(Flatten);

        private static IEnumerable<object?> Flatten(CustomAttributeTypedArgument argument) =>
            argument.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.SelectMany(Flatten) : new[] { argument.Value };

        [Fact]
        public void It_is_Set_QlikActivityBucket_with_ShouldProcess_at_medium_impact()
        {
            var cmdlet = Attributes<CmdletAttribute>(Command).Single();
            Assert.Equal(VerbsCommon.Set, cmdlet.ConstructorArguments[0].Value);
            Assert.Equal("QlikActivityBucket", cmdlet.ConstructorArguments[1].Value);
            Assert.True(Flag(cmdlet, "SupportsShouldProcess"));
            Assert.Equal((int)ConfirmImpact.Medium, Convert.ToInt32(Named(cmdlet, "ConfirmImpact")));
            Assert.Equal("Read", Named(cmdlet, "DefaultParameterSetName"));
            Assert.True(typeof(QlikCmdlet).IsAssignableFrom(Command));
        }

        [Fact]
        public void It_declares_both_output_types()
        {
            var types = Attributes<OutputTypeAttribute>(Command).SelectMany(a => a.ConstructorArguments).SelectMany(Flatten).ToList();
            Assert.Contains(typeof(ActivityBucketSummary), types);
            Assert.Contains(typeof(ActivityBucketResult), types);
        }

        [Fact]
        public void Name_is_mandatory_positional_with_the_ctrlq_alias()
        {
            var p = Assert.Single(Sets(nameof(SetQlikActivityBucketCommand.Name)));
            Assert.True(Flag(p, "Mandatory"));
            Assert.Equal(0, Named(p, "Position"));
            Assert.Contains("CustomPropertyName", Arguments<AliasAttribute>(Parameter("Name")));
            Assert.Equal(new object?[] { 1, 100 }, Arguments<ValidateLengthAttribute>(Parameter("Name")));
        }

        [Theory]
        [InlineData("BatchSize", 1, 25)]
        [InlineData("ThrottleLimit", 1, 32)]
        [InlineData("BatchSleep", 0, 3600)]
        [InlineData("UserSleep", 0, 60000)]
        public void Numbers_have_their_ranges(string name, int min, int max)
        {
            Assert.Equal(new object?[] { min, max }, Arguments<ValidateRangeAttribute>(Parameter(name)));
        }

        [Fact]
        public void Defaults_write_without_sleeps_at_the_servers_pace_and_remove_values_without_activity()
        {
            var c = new SetQlikActivityBucketCommand();
            Assert.Equal(25, c.BatchSize);
            Assert.Null(c.ThrottleLimit); // not given: the run adapts up to 16 at once
            Assert.Equal(0, c.BatchSleep);
            Assert.Equal(0, c.UserSleep);
            Assert.Equal(NoActivityAction.Remove, c.NoActivityAction);
            Assert.Equal(new[] { "1,7,14,30,90,180,365" }, c.Bucket);
        }

        [Fact]
        public void Get_QlikUserActivity_output_binds_by_value_and_other_objects_by_property_name()
        {
            var input = Assert.Single(Sets("InputObject"));
            Assert.True(Flag(input, "ValueFromPipeline"));
            Assert.True(Flag(input, "Mandatory"));
            Assert.Equal("InputObject", SetName(input));
            Assert.Equal(typeof(UserActivity), Parameter("InputObject").PropertyType);

            foreach (var name in new[] { "Id", "UserDirectory", "UserId", "LastActivity", "HasLicenseRecord" })
            {
                var byProperty = Sets(name).Single(s => SetName(s) == "ByProperty");
                Assert.True(Flag(byProperty, "ValueFromPipelineByPropertyName"), name);
                // The names are UserActivity's own, so its deserialized copies bind this way too.
                Assert.NotNull(typeof(UserActivity).GetProperty(name));
            }

            // A never-active user's null must bind, not turn into a date or a 0.
            Assert.Single(Attributes<AllowNullAttribute>(Parameter("LastActivity")));
            Assert.Equal(typeof(DateTime?), Parameter("LastActivity").PropertyType);
            Assert.True(Flag(Sets("LastActivity").Single(), "Mandatory"));
            // -Bucket is the bucket set: it must never take a piped user's Bucket property.
            Assert.All(Sets("Bucket"), s => Assert.False(Flag(s, "ValueFromPipelineByPropertyName")));
        }

        [Fact]
        public void Reading_options_belong_to_the_read_set()
        {
            Assert.Equal(new[] { "Read" }, Sets("LicenseType").Select(SetName));
            Assert.Equal(new[] { "Read" }, Sets("LicensedOnly").Select(SetName));
            Assert.Equal(new[] { "ByProperty", "Read" }, Sets("UserDirectory").Select(SetName).OrderBy(n => n));
            Assert.Equal(new[] { "ByProperty", "Read" }, Sets("AsOf").Select(SetName).OrderBy(n => n));
        }

        [Fact]
        public void Parameter_names_and_aliases_are_unique()
        {
            var names = Command.GetProperties()
                .Where(p => Sets(p.Name).Count > 0)
                .SelectMany(p => new[] { p.Name }.Concat(Arguments<AliasAttribute>(p).Cast<string>()))
                .ToList();
            Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        }

        [Fact]
        public void The_help_page_documents_every_parameter_the_policy_and_the_ctrlq_option_map()
        {
            string text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "en-US", "Set-QlikActivityBucket.md"));
            var parameters = Command.GetProperties().Where(p => Sets(p.Name).Count > 0).Select(p => p.Name)
                .Concat(new[] { "WhatIf", "Confirm" });
            foreach (var name in parameters)
            {
                Assert.Contains("\n### -" + name + "\n", text.Replace("\r\n", "\n"));
            }

            Assert.Contains("external help file: QlikActivity.dll-Help.xml", text);
            Assert.True(text.Split(new[] { "### Example " }, StringSplitOptions.None).Length - 1 >= 2);
            Assert.Contains("-NoActivityAction", text);
            Assert.Contains("--update-user-sleep", text);
            Assert.Contains("--dry-run", text);
        }

        private static string RepositoryRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "QlikActivity.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("QlikActivity.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
