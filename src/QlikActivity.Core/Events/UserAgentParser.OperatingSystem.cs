using System;

namespace QlikActivity.Core.Events
{
    public static partial class UserAgentParser
    {
        /// <summary>The OS rules in ua-parser-js's order: Windows, iOS, macOS, Android, Chrome OS, Linux.</summary>
        private static (string? Name, string? Version) DetectOperatingSystem(ReadOnlySpan<char> s, ReadOnlySpan<ProductToken> t, int android)
        {
            int windows = IndexOf(s, "Windows");
            if (windows >= 0)
            {
                (string? Name, string? Version) result = DetectWindows(s, windows);
                if (result.Name != null)
                {
                    return result;
                }
            }

            // Every Apple rule below needs "Mac" or "iPhone"; most other strings skip them after one search.
            int mac = IndexOf(s, "Mac");

            // iOS, iPadOS in mobile mode: "CPU iPhone OS 17_1 like Mac OS X", "CPU OS 16_6 like Mac OS X".
            int likeMac = mac < 0 ? -1 : IndexOf(s, " like Mac", Math.Max(0, mac - 6));
            if (likeMac > 0)
            {
                int start = likeMac;
                while (start > 0 && IsWordChar(s[start - 1]))
                {
                    start--;
                }

                if (start < likeMac && start >= 3 && s[start - 1] == ' ' && (s[start - 2] | 0x20) == 's' && (s[start - 3] | 0x20) == 'o')
                {
                    return ("iOS", Dotted(s.Slice(start, likeMac - start)));
                }
            }

            // The same cut short before "like Mac": "(iPhone; CPU iPhone OS 17_1".
            int comment = s.IndexOf('(');
            int iphoneOs = mac < 0 && (StartsWithAt(s, comment, "(iPhone") || StartsWithAt(s, comment, "(iPod")) ? IndexOf(s, "iPhone OS ") : -1;
            if (iphoneOs >= 0)
            {
                ReadOnlySpan<char> version = WordAt(s, iphoneOs + 10, allowDot: true);
                if (!version.IsEmpty)
                {
                    return ("iOS", Dotted(version));
                }
            }

            // Native iOS apps: "CFNetwork/1410.0.3 Darwin/22.6.0".
            if (t[(int)Product.CFNetwork].Found && t[(int)Product.Darwin].Found)
            {
                return ("iOS", null);
            }

            int macOsX = mac < 0 ? -1 : IndexOf(s, "Mac OS X", mac);
            if (macOsX >= 0)
            {
                int start = macOsX + 8;
                if (start < s.Length && s[start] == ' ')
                {
                    start++;
                }

                int end = start;
                while (end < s.Length && (IsWordChar(s[end]) || s[end] == '.' || s[end] == ' '))
                {
                    end++;
                }

                ReadOnlySpan<char> version = s.Slice(start, end - start).TrimEnd();
                return ("macOS", version.IsEmpty ? null : Dotted(version));
            }

            if (mac >= 0 && (IndexOf(s, "Macintosh", mac) >= 0 || IndexOf(s, "Mac_PowerPC", mac) >= 0))
            {
                return ("macOS", null);
            }

            if (android >= 0)
            {
                // Huawei phones: "Android 10; HarmonyOS; ..." is HarmonyOS.
                int harmony = IndexOf(s, "HarmonyOS");
                if (harmony >= 0)
                {
                    int h = harmony + 9;
                    if (h < s.Length && (s[h] == ' ' || s[h] == '/'))
                    {
                        h++;
                    }

                    return ("HarmonyOS", Digits(s, h));
                }

                int i = android + 7;
                while (i < s.Length && IsWordChar(s[i]))
                {
                    i++;
                }

                if (i < s.Length && (s[i] == ' ' || s[i] == '/' || s[i] == ';' || s[i] == '.' || s[i] == '-'))
                {
                    i++;
                }

                return ("Android", Digits(s, i));
            }

            // Chrome OS: "CrOS x86_64 14541.0.0".
            int cros = IndexOf(s, "CrOS ");
            if (cros >= 0)
            {
                int i = cros + 5;
                while (i < s.Length && IsWordChar(s[i]))
                {
                    i++;
                }

                if (i < s.Length && s[i] == ')')
                {
                    return ("Chrome OS", null);
                }

                if (i < s.Length && s[i] == ' ')
                {
                    ReadOnlySpan<char> word = WordAt(s, i + 1, allowDot: true).TrimEnd('.');
                    if (!word.IsEmpty)
                    {
                        return ("Chrome OS", VersionStrings.Get(word));
                    }
                }
            }

            int linux = IndexOf(s, "Linux");
            if (linux >= 0 || IndexOf(s, "X11") >= 0)
            {
                (string? Name, string? Version) distribution = DetectLinuxDistribution(s);
                if (distribution.Name != null)
                {
                    return distribution;
                }

                // "X11; FreeBSD amd64", "X11; OpenBSD amd64": the architecture is not a version.
                int bsd = IndexOf(s, "BSD");
                if (linux < 0 && bsd > 0)
                {
                    int start = bsd;
                    while (start > 0 && bsd - start < 5 && char.IsLetter(s[start - 1]))
                    {
                        start--;
                    }

                    int i = bsd + 3;
                    if (i < s.Length && (s[i] == ' ' || s[i] == '/'))
                    {
                        i++;
                    }

                    ReadOnlySpan<char> word = WordAt(s, i, allowDot: true);
                    bool architecture = StartsWithAt(s, i, "amd") || StartsWithAt(s, i, "i386") || StartsWithAt(s, i, "i686") || StartsWithAt(s, i, "x86");
                    return (BsdName(s.Slice(start, bsd + 3 - start)), architecture || word.IsEmpty ? null : VersionStrings.Get(word));
                }
            }

            if (linux >= 0)
            {
                // As ua-parser-js: skip an x86/arm/ppc architecture, but anything else after "Linux "
                // is taken as its version ("Linux i686" gives "i686").
                int i = linux + 5;
                if (StartsWithAt(s, i, " arm") || StartsWithAt(s, i, " x86") || StartsWithAt(s, i, " ppc"))
                {
                    i += 4;
                    while (i < s.Length && IsWordChar(s[i]))
                    {
                        i++;
                    }
                }
                else if (i < s.Length && s[i] == ' ')
                {
                    i++;
                }

                ReadOnlySpan<char> version = WordAt(s, i, allowDot: true);
                return ("Linux", version.IsEmpty ? null : VersionStrings.Get(version));
            }

            return (null, null);
        }

        private static string BsdName(ReadOnlySpan<char> name) =>
            name switch
            {
                "FreeBSD" => "FreeBSD",
                "OpenBSD" => "OpenBSD",
                "NetBSD" => "NetBSD",
                _ => VersionStrings.Get(name),
            };

        private static (string? Name, string? Version) DetectWindows(ReadOnlySpan<char> s, int first)
        {
            string? literal = null;
            int ntVersionStart = -1;
            int ntVersionLength = 0;
            bool sawNt = false;

            for (int at = first; at >= 0; at = IndexOf(s, "Windows", at + 7))
            {
                int next = at + 7;

                // Windows Phone 8.1, Windows Mobile, Windows IoT: ua-parser-js checks these first.
                string? family = StartsWithAt(s, next, " Phone") ? "Windows Phone"
                    : StartsWithAt(s, next, " Mobile") ? "Windows Mobile"
                    : StartsWithAt(s, next, " IoT") ? "Windows IoT"
                    : null;
                if (family != null)
                {
                    int i = next + family.Length - 7;
                    if (StartsWithAt(s, i, " OS"))
                    {
                        i += 3;
                    }

                    if (i < s.Length && (s[i] == ' ' || s[i] == '/'))
                    {
                        i++;
                    }

                    return (family, Digits(s, i));
                }

                if (StartsWithAt(s, next, " NT"))
                {
                    sawNt = true;
                    int i = next + 3;
                    if (i < s.Length && s[i] == ' ')
                    {
                        i++;
                    }

                    int end = i;
                    while (end < s.Length && (IsDigit(s[end]) || s[end] == '.'))
                    {
                        end++;
                    }

                    // PowerShell 5.1 sends "Windows NT; Windows NT 10.0": the first one with a version counts.
                    if (ntVersionStart < 0 && end > i)
                    {
                        ntVersionStart = i;
                        ntVersionLength = end - i;
                    }
                }
                else if (literal == null && next < s.Length && (s[next] == ' ' || s[next] == '/'))
                {
                    literal = ReleaseName(WordAt(s, next + 1, allowDot: true));
                }
            }

            // Xbox sends "Windows NT 10.0; Win64; x64; Xbox; Xbox One".
            int xbox = IndexOf(s, "Xbox");
            if (xbox >= 0 && (ntVersionStart < 0 || xbox > ntVersionStart))
            {
                int model = IndexOf(s, "Xbox; Xbox ", xbox);
                if (model < 0)
                {
                    return ("Xbox", null);
                }

                int start = model + 11;
                int end = start;
                while (end < s.Length && s[end] != ')' && s[end] != ';')
                {
                    end++;
                }

                return ("Xbox", end > start ? VersionStrings.Get(s.Slice(start, end - start)) : null);
            }

            if (literal != null)
            {
                return ("Windows", literal);
            }

            if (ntVersionStart < 0)
            {
                // "Windows NT" without a number is still Windows; a bare "Windows" says nothing.
                return (sawNt ? "Windows" : null, null);
            }

            ReadOnlySpan<char> nt = s.Slice(ntVersionStart, ntVersionLength);

            // Windows RT (ARM tablets): "Windows NT 6.2; ARM;".
            if (StartsWithAt(s, ntVersionStart + ntVersionLength, "; ARM")
                && (nt.SequenceEqual("6.2".AsSpan()) || nt.SequenceEqual("6.3".AsSpan())))
            {
                return ("Windows RT", nt[2] == '2' ? "8" : "8.1");
            }

            return ("Windows", NtReleaseName(nt));
        }

        /// <summary>
        /// OS version for "Windows NT 10.0", sent by Windows 10 and 11 alike. Butler SOS 15's output
        /// (the reference our destinations must match) says "NT 10.0"; ua-parser-js 1.x and 2.x on
        /// their own say "10". One place to change if dashboards turn out to expect "10".
        /// </summary>
        internal const string WindowsNt10Version = "NT 10.0";

        /// <summary>
        /// NT version to the release it names. NT 10.0 is both Windows 10 and 11, so it is left
        /// as "NT 10.0" (what Butler SOS 15 reports); unknown versions keep their NT number too.
        /// </summary>
        private static string NtReleaseName(ReadOnlySpan<char> nt)
        {
            switch (nt.Length)
            {
                case 3:
                    if (nt.SequenceEqual("6.3".AsSpan())) return "8.1";
                    if (nt.SequenceEqual("6.1".AsSpan())) return "7";
                    if (nt.SequenceEqual("6.2".AsSpan())) return "8";
                    if (nt.SequenceEqual("6.0".AsSpan())) return "Vista";
                    if (nt.SequenceEqual("5.1".AsSpan()) || nt.SequenceEqual("5.2".AsSpan())) return "XP";
                    if (nt.SequenceEqual("5.0".AsSpan())) return "2000";
                    if (nt.SequenceEqual("6.4".AsSpan())) return "10";
                    if (nt.SequenceEqual("4.0".AsSpan())) return "NT 4.0";
                    break;
                case 4:
                    if (nt.SequenceEqual("10.0".AsSpan())) return WindowsNt10Version;
                    if (nt.SequenceEqual("5.01".AsSpan())) return "2000";
                    if (nt.SequenceEqual("4.90".AsSpan())) return "ME";
                    break;
            }

            if (nt.Length > 24)
            {
                nt = nt.Slice(0, 24);
            }

            Span<char> text = stackalloc char[3 + 24];
            "NT ".AsSpan().CopyTo(text);
            nt.CopyTo(text.Slice(3));
            return VersionStrings.Get(text.Slice(0, 3 + nt.Length));
        }

        /// <summary>"Windows 98", "Windows XP", "Windows 7": the release names ua-parser-js accepts after "Windows ".</summary>
        private static string? ReleaseName(ReadOnlySpan<char> word)
        {
            switch (word.Length)
            {
                case 1:
                    if (word[0] == '7') return "7";
                    if (word[0] == '8') return "8";
                    return null;
                case 2:
                    if (word.SequenceEqual("10".AsSpan())) return "10";
                    if (word.SequenceEqual("11".AsSpan())) return "11";
                    if (word.SequenceEqual("95".AsSpan())) return "95";
                    if (word.SequenceEqual("98".AsSpan())) return "98";
                    if (word.SequenceEqual("XP".AsSpan())) return "XP";
                    if (word.SequenceEqual("ME".AsSpan())) return "ME";
                    return null;
                case 3:
                    if (word.SequenceEqual("8.1".AsSpan())) return "8.1";
                    if (word.SequenceEqual("3.1".AsSpan())) return "3.1";
                    return null;
                case 4:
                    return word.SequenceEqual("2000".AsSpan()) ? "2000" : null;
                case 5:
                    return word.SequenceEqual("Vista".AsSpan()) ? "Vista" : null;
                default:
                    return null;
            }
        }

        private static (string? Name, string? Version) DetectLinuxDistribution(ReadOnlySpan<char> s)
        {
            int at;
            if ((at = IndexOf(s, "Ubuntu")) >= 0)
            {
                return ("Ubuntu", DistributionVersion(s, at + 6));
            }

            if ((at = IndexOf(s, "Fedora")) >= 0)
            {
                return ("Fedora", DistributionVersion(s, at + 6));
            }

            if ((at = IndexOf(s, "Debian")) >= 0)
            {
                return ("Debian", DistributionVersion(s, at + 6));
            }

            if ((at = IndexOf(s, "CentOS")) >= 0)
            {
                return ("CentOS", DistributionVersion(s, at + 6));
            }

            if ((at = IndexOf(s, "SUSE")) >= 0)
            {
                return (StartsWithAt(s, at - 4, "open") ? "openSUSE" : "SUSE", DistributionVersion(s, at + 4));
            }

            if ((at = IndexOf(s, "Red Hat")) >= 0)
            {
                return ("Red Hat", DistributionVersion(s, at + 7));
            }

            return (null, null);
        }

        /// <summary>"Ubuntu/10.10" or "Ubuntu 22.04" give a version; "Ubuntu; Linux" and "Ubuntu Chromium/..." do not.</summary>
        private static string? DistributionVersion(ReadOnlySpan<char> s, int i)
        {
            if (i < s.Length && (s[i] == ' ' || s[i] == '/' || s[i] == '-'))
            {
                i++;
            }

            if (StartsWithAt(s, i, "Chrom") || StartsWithAt(s, i, "package"))
            {
                return null;
            }

            int end = i;
            while (end < s.Length && (IsWordChar(s[end]) || s[end] == '.' || s[end] == '-'))
            {
                end++;
            }

            return end > i ? VersionStrings.Get(s.Slice(i, end - i)) : null;
        }

        /// <summary>The run of digits and dots at <paramref name="index"/>, or null when there is none.</summary>
        private static string? Digits(ReadOnlySpan<char> s, int index)
        {
            int end = index;
            while (end < s.Length && (IsDigit(s[end]) || s[end] == '.'))
            {
                end++;
            }

            return end > index ? VersionStrings.Get(s.Slice(index, end - index)) : null;
        }

        /// <summary>"10_15_7" as "10.15.7": Apple writes OS versions with underscores.</summary>
        private static string Dotted(ReadOnlySpan<char> version)
        {
            if (version.IndexOf('_') < 0)
            {
                return VersionStrings.Get(version);
            }

            if (version.Length > 32)
            {
                return version.ToString().Replace('_', '.');
            }

            Span<char> text = stackalloc char[32];
            for (int i = 0; i < version.Length; i++)
            {
                text[i] = version[i] == '_' ? '.' : version[i];
            }

            return VersionStrings.Get(text.Slice(0, version.Length));
        }
    }
}
