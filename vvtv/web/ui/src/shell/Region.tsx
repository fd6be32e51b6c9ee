// One mount point: the component the manifest names, with the manifest's props.
import type { JSX } from "preact";
import { NotYetInKit } from "../kit/NotYetInKit";
import type { MountView } from "../sdk";
import { componentFor } from "./registry";

export type RegionName = "stage" | "rail" | "topbar" | "overlays";

interface Props {
  mount: MountView;
  region: RegionName;
}

export function Region({ mount, region }: Props): JSX.Element {
  const Component = componentFor(mount.component);
  if (!Component) {
    // A component a newer server config names that this build of the kit does not ship yet.
    return (
      <div class="mount" data-component={mount.component} data-pending="true">
        <NotYetInKit visible={region === "stage" || region === "rail"} />
      </div>
    );
  }
  return (
    <div class="mount" data-component={mount.component}>
      <Component {...(mount.props ?? {})} />
    </div>
  );
}
