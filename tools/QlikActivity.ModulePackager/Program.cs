using System;
using System.IO;

namespace QlikActivity.ModulePackager
{
    /// <summary><c>&lt;moduleDir&gt; &lt;outDir&gt;</c>: the laid-out module to a zip and a .nupkg; prints both paths.</summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length != 2)
            {
                Console.Error.WriteLine("usage: QlikActivity.ModulePackager <moduleDir> <outDir>");
                return 2;
            }

            try
            {
                var package = ModulePackage.Create(args[0], args[1]);
                Console.WriteLine(package.ZipPath);
                Console.WriteLine(package.NupkgPath);
                return 0;
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException or System.Xml.XmlException)
            {
                Console.Error.WriteLine("error QAPACK1: " + ex.Message);
                return 1;
            }
        }
    }
}
