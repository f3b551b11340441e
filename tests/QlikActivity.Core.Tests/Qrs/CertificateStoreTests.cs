using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>
    /// Connect-QlikSense -Thumbprint: the certificate store path. .NET keeps a real CurrentUser\My store on Linux,
    /// so found, no private key and missing run against it; LocalMachine\My does not exist there (Linux has only
    /// its Root and CA stores), so the fallback to it runs through the search with a LocalMachine stand-in.
    /// </summary>
    public sealed class CertificateStoreTests
    {
        private static readonly Lazy<X509Certificate2> Root = new(() => TestCertificates.CreateRoot());

        // A client certificate of its own per test, with an exportable key, as the QMC's client.pfx gives it.
        private static X509Certificate2 NewClient(string name)
        {
            using var created = TestCertificates.CreateSigned(Root.Value, name, server: false);
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx, ""), "",
                X509KeyStorageFlags.Exportable | X509KeyStorageFlags.PersistKeySet);
        }

        private static void InCurrentUserMy(X509Certificate2 certificate, Action test)
        {
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            store.Add(certificate);
            try
            {
                test();
            }
            finally
            {
                store.Remove(certificate);
            }
        }

        [Fact]
        public void A_certificate_with_its_key_in_CurrentUser_My_is_found_by_a_thumbprint_copied_from_mmc()
        {
            using var client = NewClient("StoreClient");
            InCurrentUserMy(client, () =>
            {
                // As copied from the certificate dialog: lower case, spaces, a left-to-right mark in front.
                string copied = "\u200e" + string.Join(" ", SplitPairs(client.Thumbprint.ToLowerInvariant()));
                using var found = ClientCertificateLoader.FromStore(copied);
                Assert.Equal(client.Thumbprint, found.Thumbprint);
                Assert.True(found.HasPrivateKey);
                using var key = found.GetRSAPrivateKey()!;
                Assert.NotEmpty(key.SignData(new byte[] { 1, 2, 3 }, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            });
        }

        [Fact]
        public void A_certificate_without_its_key_is_refused_and_the_store_is_named()
        {
            using var client = NewClient("StoreClientNoKey");
            using var publicOnly = X509CertificateLoader.LoadCertificate(client.Export(X509ContentType.Cert));
            InCurrentUserMy(publicOnly, () =>
            {
                var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromStore(client.Thumbprint));
                Assert.Equal(QrsErrorIds.CertificateWithoutPrivateKey, ex.ErrorId);
                Assert.Equal(OperationErrorCategory.SecurityError, ex.Category);
                Assert.Contains("Cert:\\CurrentUser\\My", ex.Message);
                Assert.Contains(client.Thumbprint, ex.Message);
            });
        }

        [Fact]
        public void A_thumbprint_in_no_store_is_named_with_where_it_was_looked_for()
        {
            string absent = new string('C', 40);
            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromStore(absent));
            Assert.Equal(QrsErrorIds.CertificateNotInStore, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.ObjectNotFound, ex.Category);
            Assert.Contains(absent, ex.Message);
            Assert.Contains("Cert:\\CurrentUser\\My", ex.Message);
        }

        [Fact]
        public void Not_in_CurrentUser_the_search_goes_on_to_LocalMachine_and_takes_it_from_there()
        {
            using var client = NewClient("MachineClient");
            var looked = new List<StoreLocation>();
            using var found = ClientCertificateLoader.FromStore(client.Thumbprint, new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine }, (location, thumbprint) =>
            {
                looked.Add(location);
                if (location == StoreLocation.CurrentUser)
                {
                    // The real CurrentUser\My, which does not hold it.
                    using var store = new X509Store(StoreName.My, location);
                    store.Open(OpenFlags.ReadOnly);
                    return store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
                }

                return new X509Certificate2Collection(client);
            });

            Assert.Equal(new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine }, looked);
            Assert.Equal(client.Thumbprint, found.Thumbprint);
        }

        [Fact]
        public void A_store_this_account_does_not_have_is_passed_over_and_named_when_nothing_is_found()
        {
            var looked = new List<StoreLocation>();
            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromStore(new string('D', 40), new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine }, (location, _) =>
            {
                looked.Add(location);
                return location == StoreLocation.LocalMachine
                    ? throw new CryptographicException("The X509 certificate store does not exist.")
                    : new X509Certificate2Collection();
            }));

            Assert.Equal(new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine }, looked);
            Assert.Equal(QrsErrorIds.CertificateNotInStore, ex.ErrorId);
            Assert.Contains("Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My", ex.Message);
        }

        private static IEnumerable<string> SplitPairs(string hex)
        {
            for (int i = 0; i < hex.Length; i += 2)
            {
                yield return hex.Substring(i, 2);
            }
        }
    }
}
