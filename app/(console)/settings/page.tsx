import { requirePage } from "@/lib/sign-in/session";
import { readDestinationPolicy } from "@/lib/net/destination-policy";
import { PageHeader } from "@/components/ui/page-header";
import { LinkLocalToggle } from "@/components/settings/link-local-toggle";

export const metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  await requirePage("settings:write");
  const policy = await readDestinationPolicy();
  return (
    <>
      <PageHeader title="Settings" description="How the console itself behaves; every change is audited with its reason" />
      <LinkLocalToggle allowed={policy.allowLinkLocal} />
    </>
  );
}
