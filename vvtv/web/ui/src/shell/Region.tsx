// One mount point: the component the manifest names, with the manifest's props.
import type { JSX } from "preact";
import type { MountView } from "../sdk";
import { componentFor } from "./registry";

export function Region({ mount }: { mount: MountView }): JSX.Element {
  const Component = componentFor(mount.component);
  return (
    <div class="mount" data-component={mount.component}>
      <Component {...(mount.props ?? {})} />
    </div>
  );
}
