// SPDX-License-Identifier: MIT
// L2 representation of an L1 token (like OP's OptimismMintableERC20): only the L2 bridge mints or burns.
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

contract L2MintableERC20 is ERC20 {
    address public immutable remoteToken;
    address public immutable bridge;
    uint8 private immutable _decimals;

    error OnlyBridge();

    constructor(address bridge_, address remoteToken_, string memory name_, string memory symbol_, uint8 decimals_)
        ERC20(name_, symbol_)
    {
        bridge = bridge_;
        remoteToken = remoteToken_;
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// OP's legacy getter names, kept for tools that read them.
    function l1Token() external view returns (address) {
        return remoteToken;
    }

    function l2Bridge() external view returns (address) {
        return bridge;
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != bridge) revert OnlyBridge();
        _mint(to, amount);
    }

    function burn(address from, uint256 amount) external {
        if (msg.sender != bridge) revert OnlyBridge();
        _burn(from, amount);
    }
}
