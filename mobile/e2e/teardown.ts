import teardown from "../../web/e2e/harness/teardown";

export default teardown;
